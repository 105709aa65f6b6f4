// What reached the code field or the camera: a whole code, a ticket number from the letter, a
// device set-up code, or one of the first two as a keyboard-wedge scanner on the wrong keyboard
// layout typed it.
//
// A wedge scanner types a code as key presses. Set to a US layout but plugged into a computer
// with a German (QWERTZ) layout, each key it presses gives the German key's character. For the
// characters a voucher can contain (Base45: 0-9 A-Z space $ % * + - . / :, and the ticket
// number's 0-9 A-Z and -), that is:
//
//   meant  US key pressed          German layout gives
//   Y  Z   the Y and Z keys        Z  Y       (the two keys trade places; y/z likewise)
//   *      Shift + 8               (
//   +      Shift + = (right of -)  `          a dead key: with a vowel after it, one letter
//                                             À È Ì Ò Ù; on some systems ` and the letter
//   -      - (right of 0)          ß
//   /      / (right of .)          -
//   :      Shift + ; (right of L)  Ö
//   0-9 A-X space $ % .            the same   ($ and % are Shift + 4 and 5 on both)
//
// So "JV1:" arrives as "JV1Ö" and "0RV4-K8ZQ" as "0RV4ßK8YQ". The table below turns it back.
import { parse, shortCodeId } from "./jv1.js";

export const ENROL_PREFIX = "JVENROL:";
const GERMAN_TO_US = {
  Y: "Z", Z: "Y", y: "z", z: "y", "(": "*", "`": "+", "ß": "-", "-": "/", "Ö": ":",
  "À": "+A", "È": "+E", "Ì": "+I", "Ò": "+O", "Ù": "+U", "à": "+a", "è": "+e", "ì": "+i", "ò": "+o", "ù": "+u",
};

/** `text` as a US-layout scanner meant it, when a German-layout computer received it. */
export function usLayoutOnGerman(text) {
  return Array.from(text, (c) => GERMAN_TO_US[c] ?? c).join("");
}

function parses(code) {
  try {
    parse(code);
    return true;
  } catch {
    return false;
  }
}

/** What `raw` is: {kind: "enrolment"}, {kind: "short", id}, {kind: "short_typo"} (a ticket number
 * whose check character does not match) or {kind: "full", code} (which may still be invalid). */
export function interpret(raw) {
  // Base45 has a space, so a code may end in one: only line breaks and tabs are cut off the end.
  const text = raw.replace(/^\s+/, "").replace(/[\r\n\t\v\f]+$/, "");
  if (text.startsWith(ENROL_PREFIX)) return { kind: "enrolment" };
  const candidates = [text, usLayoutOnGerman(text)];
  for (const candidate of candidates) {
    if (parses(candidate)) return { kind: "full", code: candidate };
    const short = shortCodeId(candidate);
    if (short && short.id) return { kind: "short", id: short.id };
  }
  if (candidates.some((c) => shortCodeId(c))) return { kind: "short_typo" };
  return { kind: "full", code: text };
}
