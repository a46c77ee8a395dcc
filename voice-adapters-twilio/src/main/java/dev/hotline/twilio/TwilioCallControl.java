package dev.hotline.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import java.util.Objects;

/**
 * Ends calls through Twilio's REST API with the Twilio SDK: {@code POST /2010-04-01/Accounts/{AccountSid}/
 * Calls/{CallSid}.json} with {@code Status=completed}.
 *
 * <p>A call that has already ended answers 404 (Twilio error 20404); that counts as success, since the goal,
 * a finished call, is reached. Every other failure becomes a {@link ProviderException} (provider
 * {@code "twilio"}) whose message names the HTTP status and Twilio's error code, never the credentials.
 *
 * <p>Thread-safe; {@link #hangUp} blocks for one HTTP request (the SDK retries transient failures itself), so
 * call it from a virtual thread.
 */
public final class TwilioCallControl {

    /** Twilio's error code for "the requested resource was not found": the call is gone. */
    static final int NOT_FOUND_CODE = 20404;

    private final TwilioRestClient client;

    /** Uses {@code client} for every request; tests point its HTTP client at a local server. */
    public TwilioCallControl(TwilioRestClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** A control for the account {@code accountSid}, authenticated with its auth token. */
    public static TwilioCallControl create(String accountSid, String authToken) {
        requireText(accountSid, "accountSid");
        requireText(authToken, "authToken");
        return new TwilioCallControl(new TwilioRestClient.Builder(accountSid, authToken).build());
    }

    /**
     * Ends the call.
     *
     * @return {@code true} if this request ended it, {@code false} if it had already ended
     * @throws ProviderException if Twilio refused the request or could not be reached
     */
    public boolean hangUp(String callSid) throws ProviderException {
        requireText(callSid, "callSid");
        try {
            Call.updater(callSid).setStatus(Call.UpdateStatus.COMPLETED).update(client);
            return true;
        } catch (ApiException e) {
            int status = e.getStatusCode() == null ? 0 : e.getStatusCode();
            int code = e.getCode() == null ? 0 : e.getCode();
            if (status == 404 || code == NOT_FOUND_CODE) {
                return false;
            }
            if (status == 0) {
                // The SDK reports a request that got no HTTP answer at all as an ApiException without a status.
                throw new ProviderException("twilio", Kind.NETWORK, "hang-up request got no answer: "
                        + e.getMessage(), 0, null, e);
            }
            throw new ProviderException("twilio", kindOf(status),
                    "hang-up refused: HTTP " + status + ", Twilio error " + code, status, null, e);
        } catch (ApiConnectionException e) {
            throw new ProviderException("twilio", Kind.NETWORK, "hang-up request failed: " + e.getMessage(),
                    0, null, e);
        } catch (TwilioException e) {
            throw new ProviderException("twilio", Kind.MALFORMED_RESPONSE,
                    "hang-up answer not understood: " + e.getClass().getSimpleName(), 0, null, e);
        }
    }

    private static Kind kindOf(int status) {
        return switch (status) {
            case 401, 403 -> Kind.AUTHENTICATION;
            case 429 -> Kind.RATE_LIMITED;
            case 408, 409 -> Kind.UNAVAILABLE;
            default -> status >= 500 ? Kind.UNAVAILABLE : Kind.INVALID_REQUEST;
        };
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
