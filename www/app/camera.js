// Taking a photo with the device's camera in the page (getUserMedia), for laptops and
// desktops; phones use the file input's `capture` instead. The stream stays in this tab
// and is stopped as soon as the dialog closes. A refusal is explained, never thrown.

/** Words for why the camera could not start. */
function reason(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'The camera was not allowed. To use it, allow camera access for this page in your browser’s site settings, or choose a photo instead.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. Choose a photo instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera could not be started; another app may be using it. Close it and try again, or choose a photo instead.';
    default:
      return 'The camera could not be started. Choose a photo instead.';
  }
}

export function attachCamera({ button, dialog, video, shoot, cancel, onPhoto, onError }) {
  if (!navigator.mediaDevices?.getUserMedia || typeof dialog.showModal !== 'function') return;
  // A server whose Permissions-Policy forbids the camera: offer only the file inputs.
  const policy = document.permissionsPolicy ?? document.featurePolicy;
  if (policy && !policy.allowsFeature('camera')) return;
  button.hidden = false;
  let stream = null;

  function stop() {
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    video.srcObject = null;
  }

  button.addEventListener('click', async () => {
    if (stream) return;
    button.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'user', width: { ideal: 1920 }, height: { ideal: 1080 } },
        audio: false,
      });
    } catch (err) {
      onError(reason(err));
      return;
    } finally {
      button.disabled = false;
    }
    // "Take the photo" waits for the first frame.
    shoot.disabled = true;
    video.srcObject = stream;
    dialog.showModal();
    // play() rejects if the dialog is closed first; there is nothing to report then.
    video.play().catch(() => {});
  });

  shoot.addEventListener('click', async () => {
    const { videoWidth: w, videoHeight: h } = video;
    if (!stream || !w || !h) return;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d').drawImage(video, 0, 0, w, h);
    dialog.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) {
      onError('The camera picture could not be taken. Please try again.');
      return;
    }
    onPhoto(new File([blob], 'Camera photo.png', { type: 'image/png' }));
  });

  video.addEventListener('loadedmetadata', () => {
    if (!stream) return;
    shoot.disabled = false;
    shoot.focus();
  });
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', stop);
}
