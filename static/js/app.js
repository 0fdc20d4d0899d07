// Progressive enhancement only: every page works without JavaScript.
document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
document.querySelectorAll(".js-hide").forEach(function (el) { el.classList.add("d-none"); });
document.querySelectorAll("[data-confirm]").forEach(function (el) {
  el.addEventListener("submit", function (event) {
    if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
});
// Close the navbar's <details> menus on a click elsewhere or Escape, as a drop-down would.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.nav-more[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
  });
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") {
    document.querySelectorAll("details.nav-more[open]").forEach(function (menu) { menu.removeAttribute("open"); });
  }
});
