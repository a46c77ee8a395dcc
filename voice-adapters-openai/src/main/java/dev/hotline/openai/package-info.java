/**
 * Speech-to-text and replies over OpenAI's HTTP API, for OpenAI itself and any compatible server (Ollama,
 * llama.cpp server, vLLM, Groq).
 *
 * <p>{@link dev.hotline.openai.OpenAiConfig} holds the settings (from {@code OPENAI_*} environment
 * variables); one {@link dev.hotline.openai.OpenAiClient} per application holds the HTTP client, the error
 * mapping and the retry loop; {@link dev.hotline.openai.OpenAiTranscriber} and
 * {@link dev.hotline.openai.OpenAiResponder} implement the core's {@code Transcriber} and {@code Responder}
 * ports on it. Every failure leaves this package as a {@link dev.hotline.core.ProviderException} or a
 * {@link dev.hotline.core.CancelledException}; the API key never appears in a message or a log line.
 */
package dev.hotline.openai;
