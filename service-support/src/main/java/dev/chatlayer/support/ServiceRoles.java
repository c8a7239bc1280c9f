package dev.chatlayer.support;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A verified service token gets its service's name as a role (e.g. {@code message-service}), so an internal endpoint
 * names the callers it takes with {@code @RolesAllowed}. The role comes from the subject, which chose the key the
 * token was verified with ({@link VerifiedTokens}); a service token carries no other group, so no service can give
 * itself another's role.
 */
@ApplicationScoped
public class ServiceRoles implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token) || !identity.hasRole(ServiceIdentity.GROUP)) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addRole(token.getSubject()).build());
    }
}
