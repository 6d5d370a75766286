// The portal's own behaviour, kept out of the templates so the Content-Security-Policy can forbid
// inline scripts and event handlers (script-src 'self').
(function () {
  "use strict";

  // <select data-submit-on-change>: send its form as soon as a choice is made (the language switch).
  function submitOnChange(event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change")) {
      target.form.submit();
    }
  }

  document.addEventListener("change", submitOnChange);
})();
