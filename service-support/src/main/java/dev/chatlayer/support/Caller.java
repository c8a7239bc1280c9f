package dev.chatlayer.support;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;

/**
 * The authenticated user of the current request: the token's {@code sub}, never an id from a path or body.
 * A service's token is refused here (403): services reach each other only through {@code /internal/}.
 */
@RequestScoped
public class Caller {

    private final JsonWebToken token;

    Caller(JsonWebToken token) {
        this.token = token;
    }

    /** The user the verified token speaks for; 401 without a usable subject, 403 for a service token. */
    public String id() {
        String subject = token.getSubject();
        if (subject == null || !UserIds.isValid(subject)) {
            throw new UnauthorizedException();
        }
        if (token.getGroups() != null && token.getGroups().contains(ServiceIdentity.GROUP)) {
            throw new ForbiddenException();
        }
        return subject;
    }
}
