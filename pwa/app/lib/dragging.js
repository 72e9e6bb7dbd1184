// Drag and drop with Pointer Events: one path for mouse, pen and touch (HTML5
// drag-and-drop never starts from a touch). The pressed element stays where it is,
// dimmed; a copy of it follows the pointer; the caller decides what lies under the
// point where it is let go. A press that hardly moves stays a click (a tap), so the
// same element can also be chosen without dragging.
//
// For touch the element needs a CSS `touch-action` that leaves the drag's direction to
// the page (`none`, or `pan-x` to keep a horizontal strip scrollable while cards are
// pulled out of it downwards): otherwise the browser scrolls and cancels the pointer.
const THRESHOLD_PX = 6;
// Near a scroller's edge (or the window's top and bottom) dragging towards that edge
// scrolls it; a pointer that only passes through the edge (a card pulled down from a
// strip over the board's first column) does not.
const EDGE_PX = 40;
const SCROLL_STEP_PX = 8;

// Where a drag is let go: the element under the point matching `selector`, if any.
export function dropTarget(point, selector) {
  return document.elementFromPoint(point.x, point.y)?.closest(selector) ?? null;
}

// Call from a pointerdown handler. onMove(point) while dragging (also after scrolling),
// onDrop(point) when let go, onCancel() on Escape or when the browser takes the pointer.
export function startDrag(event, { onMove, onDrop, onCancel, scroller = null }) {
  if (!event.isPrimary || (event.pointerType === "mouse" && event.button !== 0)) return;
  const source = event.currentTarget;
  const box = source.getBoundingClientRect();
  const grip = { x: event.clientX - box.left, y: event.clientY - box.top };
  const origin = { x: event.clientX, y: event.clientY };
  let last = origin;
  const heading = { x: 0, y: 0 };
  let ghost = null;
  let frame = 0;

  function follow() {
    ghost.style.transform = `translate(${last.x - grip.x}px, ${last.y - grip.y}px)`;
  }

  function begin() {
    ghost = source.cloneNode(true);
    ghost.removeAttribute("data-testid");
    ghost.setAttribute("aria-hidden", "true");
    ghost.classList.add("drag-ghost");
    Object.assign(ghost.style, { width: `${box.width}px`, height: `${box.height}px`, left: "0", top: "0" });
    document.body.append(ghost);
    source.classList.add("drag-source");
    document.body.classList.add("dragging");
    frame = requestAnimationFrame(scrollNearEdges);
  }

  function scrollNearEdges() {
    let moved = false;
    if (scroller) {
      const area = scroller.getBoundingClientRect();
      if (last.y >= area.top && last.y <= area.bottom) {
        const before = scroller.scrollLeft;
        if (last.x < area.left + EDGE_PX && heading.x < 0) scroller.scrollLeft -= SCROLL_STEP_PX;
        else if (last.x > area.right - EDGE_PX && heading.x > 0) scroller.scrollLeft += SCROLL_STEP_PX;
        moved = scroller.scrollLeft !== before;
      }
    }
    const top = scrollY;
    if (last.y < EDGE_PX && heading.y < 0) scrollBy(0, -SCROLL_STEP_PX);
    else if (last.y > innerHeight - EDGE_PX && heading.y > 0) scrollBy(0, SCROLL_STEP_PX);
    // What lies under a pointer that stands still changes when the page scrolls.
    if (moved || scrollY !== top) onMove?.(last);
    frame = requestAnimationFrame(scrollNearEdges);
  }

  function finish() {
    removeEventListener("pointermove", move);
    removeEventListener("pointerup", up);
    removeEventListener("pointercancel", cancel);
    removeEventListener("keydown", key);
    cancelAnimationFrame(frame);
    ghost?.remove();
    source.classList.remove("drag-source");
    document.body.classList.remove("dragging");
  }

  function move(moved) {
    if (moved.pointerId !== event.pointerId) return;
    const dx = moved.clientX - last.x;
    const dy = moved.clientY - last.y;
    if (dx) heading.x = Math.sign(dx);
    if (dy) heading.y = Math.sign(dy);
    last = { x: moved.clientX, y: moved.clientY };
    if (!ghost) {
      if (Math.hypot(last.x - origin.x, last.y - origin.y) < THRESHOLD_PX) return;
      begin();
    }
    follow();
    onMove?.(last);
  }

  function up(released) {
    if (released.pointerId !== event.pointerId) return;
    const dragged = ghost !== null;
    finish();
    if (!dragged) return;
    // The press was a drag, not a click on whatever it ended over.
    const swallow = (click) => click.stopPropagation();
    addEventListener("click", swallow, { capture: true, once: true });
    setTimeout(() => removeEventListener("click", swallow, { capture: true }), 0);
    onDrop?.({ x: released.clientX, y: released.clientY });
  }

  function cancel(cancelled) {
    if (cancelled.pointerId !== event.pointerId) return;
    const dragged = ghost !== null;
    finish();
    if (dragged) onCancel?.();
  }

  function key(pressed) {
    if (pressed.key !== "Escape" || !ghost) return;
    finish();
    onCancel?.();
  }

  addEventListener("pointermove", move);
  addEventListener("pointerup", up);
  addEventListener("pointercancel", cancel);
  addEventListener("keydown", key);
}
