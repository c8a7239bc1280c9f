package dev.chatlayer.support;

/**
 * A failure a client can cause and read about: it becomes an {@code application/problem+json} answer
 * with this status, title and detail, and names the offending field where there is one.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final String field;
    private long retryAfterSeconds;

    public ApiException(int status, String title, String detail, String field) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.field = field;
    }

    /** 400: {@code field} is wrong, as {@code detail} says. */
    public static ApiException badInput(String field, String detail) {
        return new ApiException(400, "Bad request", detail, field);
    }

    /** 429: past a per-user limit; the client may retry after {@code seconds}. */
    public static ApiException tooMany(String detail, long seconds) {
        ApiException e = new ApiException(429, "Too many requests", detail, null);
        e.retryAfterSeconds = seconds;
        return e;
    }

    /** 503: a dependency or a bound refused the request, which did nothing; the client may retry after {@code seconds}. */
    public static ApiException unavailable(String detail, long seconds) {
        ApiException e = new ApiException(503, "Service unavailable", detail, null);
        e.retryAfterSeconds = seconds;
        return e;
    }

    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }
}
