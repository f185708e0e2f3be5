// Page state for people (status line, error box) and for tests (body[data-state]).
//
// document.body.dataset.state is part of the test contract:
//   loading  the module or a photo is being processed
//   ready    a result is shown
//   error    the last action failed (the page stays usable)

export function createStatusView({ statusText, error, main }) {
  function set(state, text) {
    document.body.dataset.state = state;
    statusText.textContent = text;
    main.setAttribute('aria-busy', String(state === 'loading'));
  }

  return {
    loading(text) {
      set('loading', text);
    },
    ready(text) {
      error.textContent = '';
      error.hidden = true;
      set('ready', text);
    },
    /** Shows `message`; `shown` names the photo still on screen, if any. */
    error(message, shown = null) {
      error.textContent = message;
      error.hidden = false;
      const still = shown ? `Still showing ${shown}. ` : '';
      set('error', `${still}You can choose another photo.`);
    },
  };
}
