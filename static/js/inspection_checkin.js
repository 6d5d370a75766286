// The inspector's check-in: fill the coordinates from the device's location when it gives them;
// otherwise (refused, no GPS, plain HTTP) they are typed by hand. The button is rendered disabled and
// enabled here, once it does something: a click before this script ran would be lost.
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  if (!button) {
    return;
  }
  button.addEventListener("click", function () {
    if (!navigator.geolocation) {
      status.textContent = button.dataset.error;
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
        status.textContent = "±" + Math.round(position.coords.accuracy) + " m";
      },
      function () {
        status.textContent = button.dataset.error;
      },
      { enableHighAccuracy: true, timeout: 15000 }
    );
  });
  button.disabled = false;
})();
