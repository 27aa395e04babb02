/**
 * Forms: a `Form` node and a Card with `asForm` render a `<form>`; their submit collects the
 * value of every named control inside it, by field name, into the action payload. Values are
 * strings as the controls hold them (a date is `YYYY-MM-DD`), checkboxes are booleans, a radio
 * group is its checked value or `null`; disabled controls are left out (as in an HTML form
 * submission).
 */
import { createContext } from "react";

import type { FieldValues } from "./actions";

/** Whether the node is inside a `<form>` (a nested Form renders as a group instead). */
export const FormContext = createContext(false);

/** The values of the named controls of `form`. */
export function collectFormValues(form: HTMLFormElement): FieldValues {
  const values: FieldValues = {};
  for (const element of Array.from(form.elements)) {
    if (
      !(element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) ||
      element.name === "" ||
      element.disabled
    ) {
      continue;
    }
    if (element instanceof HTMLInputElement && element.type === "checkbox") {
      values[element.name] = element.checked;
    } else if (element instanceof HTMLInputElement && element.type === "radio") {
      if (element.checked) values[element.name] = element.value;
      else if (!(element.name in values)) values[element.name] = null;
    } else {
      values[element.name] = element.value;
    }
  }
  return values;
}
