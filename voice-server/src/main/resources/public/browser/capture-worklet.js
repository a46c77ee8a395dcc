// Microphone capture for the Hotline call page, run on the audio rendering thread.
// Takes the context's mono input at the device rate (usually 48 kHz), resamples it to 16 kHz with a
// windowed-sinc low-pass interpolator, and posts 20 ms frames of 16-bit little-endian PCM (320 samples)
// to the page as transferable ArrayBuffers.

/** Zero crossings of the sinc on each side of the kernel centre: sharper cut-off for more work. */
const ZERO_CROSSINGS = 8;
/** Kernel table resolution: entries per input sample; values between entries are interpolated. */
const TABLE_STEPS_PER_SAMPLE = 128;
/** Pass band edge as a fraction of the output Nyquist frequency (16 kHz -> 7.2 kHz). */
const PASS_FRACTION = 0.9;

/**
 * Streaming resampler: y(t) = sum over k of x[k] * h(t - k), where h is a Blackman-windowed sinc low-pass
 * whose cut-off sits below the output Nyquist frequency, so downsampling does not alias.
 */
class SincResampler {
  constructor(inputRate, outputRate) {
    this.step = inputRate / outputRate; // input samples advanced per output sample
    const ratio = Math.min(1, outputRate / inputRate);
    this.cutoff = (PASS_FRACTION / 2) * ratio; // cycles per input sample
    this.halfWidth = Math.ceil(ZERO_CROSSINGS / (2 * this.cutoff)); // kernel half-length, input samples
    this.table = new Float32Array(this.halfWidth * TABLE_STEPS_PER_SAMPLE + 2);
    for (let i = 0; i < this.table.length; i++) {
      this.table[i] = this.kernel(i / TABLE_STEPS_PER_SAMPLE);
    }
    this.buffer = new Float32Array(4096);
    this.length = this.halfWidth; // starts with halfWidth samples of silence as left context
    this.position = this.halfWidth; // input position of the next output sample
  }

  kernel(x) {
    const distance = Math.abs(x);
    if (distance >= this.halfWidth) {
      return 0;
    }
    const u = 2 * this.cutoff * distance;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const phase = (Math.PI * distance) / this.halfWidth;
    const blackman = 0.42 + 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase);
    return 2 * this.cutoff * sinc * blackman;
  }

  lookup(x) {
    const index = Math.abs(x) * TABLE_STEPS_PER_SAMPLE;
    const i = Math.floor(index);
    if (i + 1 >= this.table.length) {
      return 0;
    }
    const t = index - i;
    return this.table[i] + t * (this.table[i + 1] - this.table[i]);
  }

  /** Feeds input samples; calls emit(sample) for each output sample that is now computable. */
  push(input, emit) {
    if (this.length + input.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.length + input.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(input, this.length);
    this.length += input.length;
    while (this.position + this.halfWidth < this.length) {
      const centre = Math.floor(this.position);
      const fraction = this.position - centre;
      let sum = 0;
      for (let k = 1 - this.halfWidth; k <= this.halfWidth; k++) {
        sum += this.buffer[centre + k] * this.lookup(k - fraction);
      }
      emit(sum);
      this.position += this.step;
    }
    // Keep only the left context the next output sample needs.
    const drop = Math.floor(this.position) - this.halfWidth;
    if (drop > 0) {
      this.buffer.copyWithin(0, drop, this.length);
      this.length -= drop;
      this.position -= drop;
    }
  }
}

class Pcm16Capture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRate = 16000, frameSamples = 320 } = options.processorOptions || {};
    this.passThrough = sampleRate === targetRate;
    this.resampler = this.passThrough ? null : new SincResampler(sampleRate, targetRate);
    this.frameSamples = frameSamples;
    this.frame = new Int16Array(frameSamples);
    this.filled = 0;
    this.mono = new Float32Array(128);
    this.emit = (sample) => this.append(sample);
  }

  append(sample) {
    const clamped = Math.max(-1, Math.min(1, sample));
    this.frame[this.filled++] = clamped < 0 ? Math.round(clamped * 32768) : Math.round(clamped * 32767);
    if (this.filled === this.frameSamples) {
      this.port.postMessage(this.frame.buffer, [this.frame.buffer]);
      this.frame = new Int16Array(this.frameSamples);
      this.filled = 0;
    }
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) {
      return true;
    }
    const frames = input[0].length;
    if (this.mono.length !== frames) {
      this.mono = new Float32Array(frames);
    }
    // Mix down to mono.
    this.mono.fill(0);
    for (const channel of input) {
      for (let i = 0; i < frames; i++) {
        this.mono[i] += channel[i] / input.length;
      }
    }
    if (this.passThrough) {
      for (let i = 0; i < frames; i++) {
        this.append(this.mono[i]);
      }
    } else {
      this.resampler.push(this.mono, this.emit);
    }
    return true;
  }
}

registerProcessor('pcm16-capture', Pcm16Capture);
