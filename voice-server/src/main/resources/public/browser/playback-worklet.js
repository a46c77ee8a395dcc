// Playback for the Hotline call page, run on the audio rendering thread.
// Receives the server's 16 kHz PCM16 audio and marks from the page, in the order they arrived, upsamples
// the audio to the context's rate (linear interpolation, continuous across chunks) and plays it through
// a small jitter buffer. When playback passes a mark, or a clear discards the audio before it, the mark's
// name is posted back so the page can echo it to the server.

/** Audio buffered before playback starts (or restarts after running dry), in seconds. */
const PREBUFFER_SECONDS = 0.06;

class Pcm16Playback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { sourceRate = 16000 } = options.processorOptions || {};
    this.step = sourceRate / sampleRate; // source samples per output sample
    this.prebuffer = Math.round(sampleRate * PREBUFFER_SECONDS);
    this.queue = []; // { audio: Float32Array, offset } or { mark: string }, in arrival order
    this.buffered = 0; // output samples queued
    this.playing = false;
    this.lastArrival = 0; // currentFrame when audio last arrived
    this.previous = 0; // last source sample, for interpolation across chunks
    this.phase = 0; // position of the next output sample after `previous`, in source samples
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(message) {
    if (message.type === 'audio') {
      const audio = this.upsample(new Int16Array(message.pcm));
      if (audio.length > 0) {
        this.queue.push({ audio, offset: 0 });
        this.buffered += audio.length;
        this.lastArrival = currentFrame;
      }
    } else if (message.type === 'mark') {
      this.queue.push({ mark: message.name });
    } else if (message.type === 'clear') {
      for (const item of this.queue) {
        if (item.mark !== undefined) {
          this.port.postMessage({ type: 'mark', name: item.mark });
        }
      }
      this.queue = [];
      this.buffered = 0;
      this.playing = false;
      this.previous = 0;
      this.phase = 0;
    }
  }

  upsample(pcm) {
    const out = new Float32Array(Math.ceil(pcm.length / this.step) + 2);
    let n = 0;
    for (let i = 0; i < pcm.length; i++) {
      const sample = pcm[i] / 32768;
      while (this.phase < 1) {
        out[n++] = this.previous + (sample - this.previous) * this.phase;
        this.phase += this.step;
      }
      this.phase -= 1;
      this.previous = sample;
    }
    return out.subarray(0, n);
  }

  echoLeadingMarks() {
    while (this.queue.length > 0 && this.queue[0].mark !== undefined) {
      this.port.postMessage({ type: 'mark', name: this.queue.shift().mark });
    }
  }

  process(inputs, outputs) {
    const output = outputs[0];
    const channel = output[0];
    channel.fill(0);
    this.echoLeadingMarks();
    if (!this.playing && this.buffered > 0
        && (this.buffered >= this.prebuffer || currentFrame - this.lastArrival >= this.prebuffer)) {
      this.playing = true;
    }
    if (this.playing) {
      let written = 0;
      while (written < channel.length && this.queue.length > 0) {
        const item = this.queue[0];
        if (item.mark !== undefined) {
          this.port.postMessage({ type: 'mark', name: item.mark });
          this.queue.shift();
          continue;
        }
        const count = Math.min(item.audio.length - item.offset, channel.length - written);
        channel.set(item.audio.subarray(item.offset, item.offset + count), written);
        item.offset += count;
        written += count;
        this.buffered -= count;
        if (item.offset === item.audio.length) {
          this.queue.shift();
        }
      }
      this.echoLeadingMarks();
      if (this.buffered === 0) {
        this.playing = false; // ran dry: buffer again before resuming
      }
    }
    for (let c = 1; c < output.length; c++) {
      output[c].set(channel);
    }
    return true;
  }
}

registerProcessor('pcm16-playback', Pcm16Playback);
