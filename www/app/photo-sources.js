// Where photos come from: the file input, drag-and-drop anywhere on the page, and paste.
// Each calls onPhoto(file) with a File (or Blob with a name).

function firstImage(files) {
  for (const file of files ?? []) {
    if (!file.type || file.type.startsWith('image/') || file.type === 'application/octet-stream') return file;
  }
  // Not an image by type: still hand over the first file so the engine explains why.
  return files?.[0] ?? null;
}

export function attachPhotoSources({ input, onPhoto }) {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) onPhoto(file);
    // Let the same file be chosen again (e.g. after an error).
    input.value = '';
  });

  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) document.body.classList.remove('dragging');
  });
  document.addEventListener('drop', (event) => {
    depth = 0;
    document.body.classList.remove('dragging');
    const file = firstImage(event.dataTransfer?.files);
    if (!file) return;
    event.preventDefault();
    onPhoto(file);
  });

  document.addEventListener('paste', (event) => {
    const file = firstImage(event.clipboardData?.files);
    if (!file) return;
    event.preventDefault();
    onPhoto(file);
  });
}
