package dev.chatlayer.support;

/**
 * A failure a client can cause and read about: it becomes an {@code application/problem+json} answer
 * with this status, title and detail, and names the offending field where there is one.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final String field;

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
