// The Hotline call page: microphone -> 16 kHz PCM16 frames -> /browser-stream -> playback, with captions.
// Protocol: docs/browser.md. Binary frames are audio both ways; text frames are JSON control messages.

const TARGET_RATE = 16000;
const FRAME_SAMPLES = 320; // 20 ms at 16 kHz

const ui = {
  persona: document.getElementById('persona'),
  status: document.getElementById('status'),
  call: document.getElementById('call'),
  hangup: document.getElementById('hangup'),
  captions: document.getElementById('captions'),
};

// Counters a test (or a curious operator, in the console) can read.
const stats = { framesSent: 0, audioFramesReceived: 0, marksReceived: 0, marksEchoed: 0, clears: 0 };
window.hotline = { stats, get state() { return ui.status.dataset.state; } };

let call = null;

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function addCaption(who, text) {
  const item = document.createElement('li');
  item.className = `caption ${who === 'caller' ? 'caller' : 'persona'}`;
  const name = document.createElement('span');
  name.className = 'who';
  name.textContent = who === 'caller' ? 'You' : ui.persona.textContent;
  const words = document.createElement('span');
  words.className = 'text';
  words.textContent = text;
  item.append(name, words);
  ui.captions.append(item);
  ui.captions.scrollTop = ui.captions.scrollHeight;
}

function addLatency(latencyMs) {
  const replies = ui.captions.querySelectorAll('.caption.persona');
  const last = replies[replies.length - 1];
  if (!last) {
    return;
  }
  const latency = document.createElement('span');
  latency.className = 'latency';
  latency.textContent = `answered in ${latencyMs} ms`;
  last.append(latency);
}

async function startCall() {
  ui.call.disabled = true;
  setStatus('connecting', 'Asking for the microphone…');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
  } catch (error) {
    setStatus('error', `No microphone: ${error.message}`);
    ui.call.disabled = false;
    return;
  }
  const context = new AudioContext({ latencyHint: 'interactive' });
  await context.audioWorklet.addModule('/browser/capture-worklet.js');
  await context.audioWorklet.addModule('/browser/playback-worklet.js');
  const source = context.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(context, 'pcm16-capture', {
    numberOfOutputs: 0,
    processorOptions: { targetRate: TARGET_RATE, frameSamples: FRAME_SAMPLES },
  });
  const playback = new AudioWorkletNode(context, 'pcm16-playback', {
    numberOfInputs: 0,
    outputChannelCount: [1],
    processorOptions: { sourceRate: TARGET_RATE },
  });
  playback.connect(context.destination);

  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/browser-stream`);
  socket.binaryType = 'arraybuffer';
  call = { stream, context, source, capture, playback, socket, ended: false };
  setStatus('connecting', 'Calling…');

  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'start', persona: ui.persona.textContent }));
    source.connect(capture);
    capture.port.onmessage = (event) => {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(event.data);
        stats.framesSent++;
      }
    };
    playback.port.onmessage = (event) => {
      if (event.data.type === 'mark' && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: 'mark', name: event.data.name }));
        stats.marksEchoed++;
      }
    };
    ui.hangup.disabled = false;
    setStatus('connected', 'Connected. Say hello!');
  };
  socket.onmessage = (event) => {
    if (event.data instanceof ArrayBuffer) {
      stats.audioFramesReceived++;
      playback.port.postMessage({ type: 'audio', pcm: event.data }, [event.data]);
      return;
    }
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'mark':
        stats.marksReceived++;
        playback.port.postMessage({ type: 'mark', name: message.name });
        break;
      case 'clear':
        stats.clears++;
        playback.port.postMessage({ type: 'clear' });
        break;
      case 'caption':
        addCaption(message.who, message.text);
        break;
      case 'turn':
        addLatency(message.latencyMs);
        break;
      case 'hangup':
        setStatus('ended', `${ui.persona.textContent} hung up.`);
        break;
      default:
        console.warn('unknown message from the server', message);
    }
  };
  socket.onclose = (event) => {
    if (call && !call.ended) {
      const why = event.code === 1000 || event.code === 1005 ? '' : ` (${event.reason || `code ${event.code}`})`;
      const state = event.code === 1000 || event.code === 1005 ? 'ended' : 'error';
      endCall(false);
      if (ui.status.dataset.state !== 'ended' || state === 'error') {
        setStatus(state, `Call ended${why}.`);
      }
    }
  };
}

function endCall(sendStop) {
  if (!call || call.ended) {
    return;
  }
  call.ended = true;
  if (sendStop && call.socket.readyState === WebSocket.OPEN) {
    call.socket.send(JSON.stringify({ type: 'stop' }));
  }
  call.socket.close(1000);
  call.stream.getTracks().forEach((track) => track.stop());
  call.context.close();
  ui.hangup.disabled = true;
  ui.call.disabled = false;
  call = null;
}

ui.call.addEventListener('click', () => {
  startCall().catch((error) => {
    setStatus('error', `Could not start the call: ${error.message}`);
    endCall(false);
    ui.call.disabled = false;
  });
});
ui.hangup.addEventListener('click', () => {
  endCall(true);
  setStatus('ended', 'You hung up.');
});
