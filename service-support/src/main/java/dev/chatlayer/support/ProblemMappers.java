package dev.chatlayer.support;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * Turns every failure into {@code application/problem+json}: what the client did wrong and which field,
 * never a stack trace or a class name. Unexpected failures are logged with an id the answer repeats.
 * Shared by the services (one error format everywhere); storage-specific mappers stay in each service.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    Response api(ApiException e) {
        Response problem = Problem.response(e.status(), e.title(), e.getMessage(), e.field());
        return e.retryAfterSeconds() > 0
                ? Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds())).build()
                : problem;
    }

    @ServerExceptionMapper
    Response invalid(ConstraintViolationException e) {
        List<Problem.Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new Problem.Violation(fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .collect(Collectors.toList());
        return Problem.badRequest(violations);
    }

    /** Declared for the exact type so it wins over Quarkus' built-in mapper, which answers without a body. */
    @ServerExceptionMapper
    Response mismatchedJson(MismatchedInputException e) {
        return unreadableJson(e);
    }

    @ServerExceptionMapper
    Response unreadableJson(JsonProcessingException e) {
        String field;
        String detail;
        if (isSyntaxError(e)) {
            field = "body";
            detail = "the body is not valid JSON";
        } else if (e instanceof UnrecognizedPropertyException unknown) {
            field = unknown.getPropertyName();
            detail = "field '" + field + "' is not accepted";
        } else if (e instanceof JsonMappingException mapping && !pathOf(mapping).isEmpty()) {
            field = pathOf(mapping);
            detail = "field '" + field + "' has the wrong type or format";
        } else {
            field = "body";
            detail = "the body is not a JSON object of the expected shape";
        }
        return Problem.badRequest(List.of(new Problem.Violation(field, detail)));
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    Response unauthenticated() {
        return Response.fromResponse(Problem.response(401, "Unauthorized", "a valid bearer token is required", null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    Response forbidden(ForbiddenException e) {
        return Problem.response(403, "Forbidden", "not allowed for this caller", null);
    }

    @ServerExceptionMapper
    Response http(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            // syntax errors reach us wrapped by the JSON body reader
            return unreadableJson(unreadable);
        }
        if (status >= 500) {
            return unexpected(e);
        }
        return Problem.response(status, Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase(), reasonFor(status), null);
    }

    @ServerExceptionMapper
    Response unexpected(Exception e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure %s", id);
        return Problem.response(500, "Internal error", "unexpected failure, reference " + id, null);
    }

    private static String reasonFor(int status) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "only application/json responses are available";
            case 415 -> "the body must be application/json";
            default -> "the request cannot be served";
        };
    }

    /** {@code create.body.participantIds[2].<list element>} becomes {@code participantIds[2]}. */
    private static String fieldOf(ConstraintViolation<?> violation) {
        StringBuilder field = new StringBuilder();
        int depth = 0;
        for (Path.Node node : violation.getPropertyPath()) {
            depth++;
            if (depth <= 2 || node.getName() == null || node.getName().startsWith("<")) {
                // method name and parameter name ("body") come first; container nodes carry the index only
                if (node.getIndex() != null && field.length() > 0) {
                    field.append('[').append(node.getIndex()).append(']');
                }
                if (depth == 2 && node.getKind() == jakarta.validation.ElementKind.PARAMETER && !"body".equals(node.getName())) {
                    field.append(node.getName());
                }
                continue;
            }
            if (field.length() > 0) {
                field.append('.');
            }
            field.append(node.getName());
            if (node.getIndex() != null) {
                field.append('[').append(node.getIndex()).append(']');
            }
        }
        return field.length() == 0 ? "body" : field.toString();
    }

    private static boolean isSyntaxError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamReadException) {
                return true;
            }
        }
        return false;
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
