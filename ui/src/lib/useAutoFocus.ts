/**
 * Focus an element when it mounts. The `autoFocus` attribute is not enough: Preact writes it to
 * the DOM as `autofocus`, which browsers honour only for the first element of a page, so a
 * rename box or a widget field created later would not get the caret.
 */
import { useLayoutEffect, type RefObject } from "react";

export function useAutoFocus(ref: RefObject<HTMLElement | null>, enabled = true, select = false) {
  useLayoutEffect(() => {
    if (!enabled) return;
    const element = ref.current;
    element?.focus();
    if (select && element instanceof HTMLInputElement) element.select();
    // Mount only, as the attribute would: a later render must not pull the focus back.
  }, []);
}

/** The same as a ref callback, for an element shown conditionally inside a larger component. */
export function focusOnMount(element: HTMLElement | null) {
  element?.focus();
}
