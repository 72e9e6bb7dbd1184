// Style sheets that only some screens need, added to the page the first time one of
// them is shown rather than with the shell's styles.css.
export function addStylesheet(href) {
  if (document.querySelector(`link[rel=stylesheet][href="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}
