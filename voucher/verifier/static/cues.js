// Sound and vibration, so staff know the outcome without looking twice: a short blip when the
// camera has read a code, then one tone for a good verdict and two low ones for anything else.
let audio = null;

function tones(frequencies, length = 0.18, gap = 0.25) {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    frequencies.forEach((frequency, i) => {
      const osc = audio.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(audio.destination);
      osc.start(audio.currentTime + i * gap);
      osc.stop(audio.currentTime + i * gap + length);
    });
  } catch { /* no audio: the screen says it all */ }
}

function vibrate(pattern) {
  if (navigator.vibrate) navigator.vibrate(pattern);
}

/** The camera read a code. */
export function hit() {
  vibrate(40);
  tones([1760], 0.05);
}

/** A verdict is on screen: `good` for a ticket that may travel. */
export function verdict(good) {
  vibrate(good ? 120 : [300, 120, 300]);
  tones(good ? [880] : [220, 180]);
}
