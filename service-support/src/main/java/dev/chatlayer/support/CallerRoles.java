package dev.chatlayer.support;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Who a verified token speaks for, as roles, so every endpoint says who may call it with {@code @RolesAllowed}: a
 * user's token gets {@value #USER} (the public API and the socket), a service token its service's name (e.g.
 * {@code message-service}, for {@code /internal/}). A service's role comes from the subject, which chose the key the
 * token was verified with ({@link VerifiedTokens}); a service token carries no other group, so no service can give
 * itself another's role, and none is ever a user. The identity keeps no role but that one: groups never are roles.
 */
@ApplicationScoped
public class CallerRoles implements SecurityIdentityAugmentor {

    /** The role of every caller that is a user, not a service. */
    public static final String USER = "user";

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        String role = identity.hasRole(ServiceIdentity.GROUP) ? token.getSubject() : USER;
        // this one role and no other: the token's groups became roles on the way here, and a user's identity provider
        // may put any group in a token (a group named like a service must not open /internal/ to a user)
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(identity.getPrincipal())
                .addCredentials(identity.getCredentials()).addAttributes(identity.getAttributes()).setAnonymous(false)
                .addRole(role).build());
    }
}
