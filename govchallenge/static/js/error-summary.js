// After a failed submit, the error summary takes the focus, so a screen reader announces it and a keyboard
// user starts from it (GOV.UK's pattern). Browsers that honour the summary's autofocus have done it already.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
});
