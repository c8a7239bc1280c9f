package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.core.Response;

/** The 400 answer names the field as a client wrote it, not the validator's method and parameter path. */
class ProblemFieldsTest {

    record Body(@NotNull List<@NotBlank String> participantIds, @Size(max = 3) String content) {
    }

    static class Resource {
        public void create(@Valid @NotNull Body body) {
        }

        public void page(@Size(max = 2) String limit) {
        }
    }

    private final Validator validator = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    @Test
    void aListElementIsNamedWithItsIndex() {
        assertEquals(List.of("participantIds[1]"), fields("create", new Body(List.of("bob", " "), null)));
    }

    @Test
    void aFieldOfTheBodyIsNamedAlone() {
        assertEquals(List.of("content"), fields("create", new Body(List.of("bob"), "too long")));
    }

    @Test
    void aMissingBodyIsNamedBody() {
        assertEquals(List.of("body"), fields("create", (Object) null));
    }

    @Test
    void aQueryParameterIsNamedByItsName() {
        assertEquals(List.of("limit"), fields("page", "100"));
    }

    @Test
    void severalViolationsAreListedInOrderOfTheirField() {
        assertEquals(List.of("content", "participantIds"), fields("create", new Body(null, "too long")));
    }

    private List<String> fields(String method, Object argument) {
        Method target = java.util.Arrays.stream(Resource.class.getMethods()).filter(m -> m.getName().equals(method)).findFirst().orElseThrow();
        Set<ConstraintViolation<Resource>> violations = validator.forExecutables()
                .validateParameters(new Resource(), target, new Object[] { argument });
        Response answer = new ProblemMappers().invalid(new ConstraintViolationException(violations));
        assertEquals(400, answer.getStatus());
        return ((Problem) answer.getEntity()).violations().stream().map(Problem.Violation::field).toList();
    }
}
