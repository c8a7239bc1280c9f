package dev.chatlayer.support;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;

/** The authenticated user of the current request: the token's {@code sub}, never an id from a path or body. */
@RequestScoped
public class Caller {

    private final JsonWebToken token;

    Caller(JsonWebToken token) {
        this.token = token;
    }

    public String id() {
        String subject = token.getSubject();
        if (subject == null || !UserIds.isValid(subject)) {
            throw new UnauthorizedException();
        }
        return subject;
    }
}
