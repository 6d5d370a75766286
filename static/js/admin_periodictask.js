// django-celery-beat's periodic task form: show the chosen crontab in words under the field.
// The package does this with an inline script, which our Content-Security-Policy refuses.
(function () {
  "use strict";

  function ready() {
    var data = document.getElementById("readable-crontabs");
    var select = document.getElementById("id_crontab");
    var help = document.querySelector(".field-crontab .help");
    var translation = document.querySelector(".field-crontab_translation");
    if (translation) {
      translation.hidden = true;
    }
    if (!data || !select || !help) {
      return;
    }
    var readable = JSON.parse(data.textContent);
    var original = help.textContent;
    select.addEventListener("change", function () {
      var words = readable[select.value];
      help.textContent = words ? original + " — " + words : original;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
