package dev.hotline.core.turn;

/**
 * ITU-T G.711 mu-law decoding, for the inbound audio of telephone transports. A 256-entry table built once.
 */
final class MuLaw {

    /** The bias added before encoding (ITU-T G.711): removed again when decoding. */
    private static final int BIAS = 0x84;
    private static final short[] DECODE = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            int u = ~i & 0xFF;                 // mu-law bytes are stored inverted
            int exponent = (u >> 4) & 0x07;    // 3-bit segment number
            int mantissa = u & 0x0F;           // 4-bit step within the segment
            int magnitude = ((mantissa << 3) + BIAS) << exponent;
            DECODE[i] = (short) ((u & 0x80) != 0 ? BIAS - magnitude : magnitude - BIAS);
        }
    }

    private MuLaw() {
    }

    /** The linear 16-bit sample of one mu-law byte. */
    static short decode(byte ulaw) {
        return DECODE[ulaw & 0xFF];
    }
}
