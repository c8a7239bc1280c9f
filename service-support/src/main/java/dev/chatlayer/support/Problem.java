package dev.chatlayer.support;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details, the body of every error this service answers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, List<Violation> violations) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One bad field of a request. */
    public record Violation(String field, String message) {
    }

    public static Response response(int status, String title, String detail, String field) {
        return of(new Problem("about:blank", title, status, detail, field, null));
    }

    public static Response badRequest(List<Violation> violations) {
        String detail = violations.stream().map(v -> v.field() + ": " + v.message()).reduce((a, b) -> a + "; " + b).orElse("invalid request");
        String field = violations.isEmpty() ? null : violations.get(0).field();
        return of(new Problem("about:blank", "Bad request", 400, detail, field, violations));
    }

    private static Response of(Problem problem) {
        return Response.status(problem.status()).type(MEDIA_TYPE).entity(problem).build();
    }
}
