package dev.chatlayer.support;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Every service's OpenAPI document names its errors as they are answered: {@code application/problem+json} with the
 * {@link Problem} schema and an example, for the statuses every operation may meet (bad input where it takes any,
 * a missing or refused token where it is secured, a store or sibling unavailable), replacing the scanner's bare
 * descriptions. Statuses particular to an operation (404, 409, 429) are declared on the resource method with a
 * description of when; this filter gives them the same problem content and an example of the type. A 429 and a 503
 * carry {@code Retry-After}.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemResponses implements OASFilter {

    private static final String REF = "#/components/schemas/Problem";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSchema("Problem", problemSchema());
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) -> {
            APIResponses responses = operation.getResponses();
            boolean takesInput = operation.getRequestBody() != null || (operation.getParameters() != null && !operation.getParameters().isEmpty());
            if (takesInput) {
                put(responses, "400", "Bad input; `field` names the first bad field, `violations` all of them",
                        example(400, "Bad request", "content: must not be blank", "content"));
            }
            if (secured(operation)) {
                put(responses, "401", "No token, or one that is not valid (signature, issuer, audience, expiry)",
                        example(401, "Unauthorized", "a valid bearer token is required", null));
                put(responses, "403", path.startsWith("/internal/") ? "Not one of the services allowed to call this endpoint"
                        : "A service's token on a user's endpoint, or an action the caller may not take", example(403, "Forbidden",
                                "not allowed", null));
            }
            put(responses, "503", "A store or a sibling service cannot be reached now; retry after `Retry-After` seconds",
                    example(503, "Service unavailable", "conversation-service cannot be reached, retry shortly", null));
            fill(responses, "404", example(404, "Not found", "no such conversation", null));
            fill(responses, "409", example(409, "Conflict", "cannot decline a conversation that is ACCEPTED", null));
            fill(responses, "429", example(429, "Too many requests", "at most 10 messages per 10 s; retry after 7 s", null));
        }));
    }

    /** A status the method declared by its description alone gets the problem content and an example of its type. */
    private static void fill(APIResponses responses, String status, Map<String, Object> example) {
        APIResponse declared = responses.getAPIResponse(status);
        if (declared != null && !hasContent(declared)) {
            put(responses, status, declared.getDescription(), example);
        }
    }

    private static boolean hasContent(APIResponse response) {
        return response.getContent() != null && response.getContent().getMediaTypes() != null && !response.getContent().getMediaTypes().isEmpty();
    }

    /** A status this filter describes replaces the scanner's bare one; one declared on the method with content stays. */
    private static void put(APIResponses responses, String status, String description, Map<String, Object> example) {
        APIResponse existing = responses.getAPIResponse(status);
        if (existing != null && hasContent(existing)) {
            return;
        }
        APIResponse response = OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()
                        .schema(OASFactory.createSchema().ref(REF)).example(example)));
        if (status.equals("429") || status.equals("503")) {
            response.addHeader("Retry-After", OASFactory.createHeader().description("seconds to wait before trying again")
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)));
        }
        responses.addAPIResponse(status, response);
    }

    private static boolean secured(Operation operation) {
        return operation.getSecurity() != null && !operation.getSecurity().isEmpty();
    }

    private static Map<String, Object> example(int status, String title, String detail, String field) {
        return field == null ? Map.of("type", "about:blank", "title", title, "status", status, "detail", detail)
                : Map.of("type", "about:blank", "title", title, "status", status, "detail", detail, "field", field,
                        "violations", List.of(Map.of("field", field, "message", "must not be blank")));
    }

    private static Schema problemSchema() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details: the body of every error")
                .addRequired("type").addRequired("title").addRequired("status")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).examples(List.of("about:blank")))
                .addProperty("title", string)
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", string)
                .addProperty("field", OASFactory.createSchema().addType(Schema.SchemaType.STRING).description("the first bad field of a 400"))
                .addProperty("violations", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).description("every bad field of a 400")
                        .items(OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                                .addProperty("field", string).addProperty("message", string)));
    }
}
