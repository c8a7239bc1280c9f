package dev.chatlayer.support;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;

/**
 * The authenticated user of the current request: the token's {@code sub}, never an id from a path or body. Only
 * endpoints that allow {@link CallerRoles#USER} ask for it: a service's token never gets that far (403).
 */
@RequestScoped
public class Caller {

    private final JsonWebToken token;

    Caller(JsonWebToken token) {
        this.token = token;
    }

    /** The user the verified token speaks for; 401 without a usable subject. */
    public String id() {
        String subject = token.getSubject();
        if (subject == null || !UserIds.isValid(subject)) {
            throw new UnauthorizedException();
        }
        return subject;
    }
}
