/* wam: the record form's helpers. A local script (strict CSP: no inline script), and optional:
   without it the form still works (the item picker's value is added to the serials on submit).
   - Item picker: choosing a weapon adds its serial to the serials box (checked by htmx as
     typed); choosing a lot fills the lot field.
   - Scanning: where the browser has the BarcodeDetector API and a camera, a button reads
     QR and bar codes from the camera and adds each serial once. Feature-detected: the button
     stays hidden elsewhere. */
(function () {
  "use strict";
  var form = document.getElementById("record");
  if (!form) { return; }
  var serials = form.querySelector("textarea[name=serials]");
  var pick = form.querySelector("input[name=pick]");
  var item = form.querySelector("input[name=item]");

  function addSerial(text) {
    text = (text || "").trim();
    if (!text || !serials) { return false; }
    var lines = serials.value.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(Boolean);
    if (lines.indexOf(text) >= 0) { return false; }
    lines.push(text);
    serials.value = lines.join("\n") + "\n";
    serials.dispatchEvent(new Event("change", {bubbles: true}));
    return true;
  }

  function choose() {
    var value = pick.value.trim();
    if (!value) { return; }
    var list = document.getElementById(pick.getAttribute("list"));
    var option = null;
    if (list) {
      for (var i = 0; i < list.options.length; i++) {
        if (list.options[i].value === value) { option = list.options[i]; break; }
      }
    }
    if (option && option.getAttribute("data-lot") && item) {
      item.value = option.getAttribute("data-lot");
      var details = item.closest("details");
      if (details) { details.open = true; }
      item.focus();
    } else {
      addSerial(value);
    }
    pick.value = "";
  }

  if (pick) {
    pick.addEventListener("input", function (e) {
      if (!e.inputType || e.inputType === "insertReplacementText") { choose(); }  // picked from the list
    });
    pick.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); choose(); }
    });
  }

  var scan = document.getElementById("scan");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var media = navigator.mediaDevices;
  if (!scan || !video || !("BarcodeDetector" in window) || !media || !media.getUserMedia) { return; }
  scan.parentNode.hidden = false;
  var stream = null, timer = null, detector = null;
  var wanted = ["qr_code", "code_128", "code_39", "data_matrix", "ean_13"];

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (tr) { tr.stop(); }); stream = null; }
    video.hidden = true;
    scan.textContent = scan.getAttribute("data-start");
  }

  function detect() {
    if (!detector || video.readyState < 2) { return; }
    detector.detect(video).then(function (codes) {
      codes.forEach(function (code) {
        if (addSerial(code.rawValue)) { status.textContent = status.getAttribute("data-read") + " " + code.rawValue; }
      });
    }).catch(function () { /* a frame that cannot be read: try the next one */ });
  }

  function start() {
    var formats = window.BarcodeDetector.getSupportedFormats ? window.BarcodeDetector.getSupportedFormats()
                                                            : Promise.resolve(wanted);
    formats.then(function (supported) {
      detector = new window.BarcodeDetector({formats: wanted.filter(function (f) { return supported.indexOf(f) >= 0; })});
      return media.getUserMedia({video: {facingMode: "environment"}, audio: false});
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      video.play();
      scan.textContent = scan.getAttribute("data-stop");
      timer = setInterval(detect, 250);
    }).catch(function () {
      stop();
      status.textContent = status.getAttribute("data-denied");
    });
  }

  scan.addEventListener("click", function () { if (stream) { stop(); } else { start(); } });
}());
