package org.diredi.broker;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.MqttActivity;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.SharedSubscription;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks user name and password against the broker's accounts ({@link AccountBook}: its configuration
 * and its account store, re-read when that changes) and gives each connection the topic permissions of
 * its role ({@link Grants}), with everything else denied.
 */
final class AclAuthenticator implements SimpleAuthenticator {

    private final AccountBook accounts;
    /** Verified once per user and password, so a reconnect storm does not cost a PBKDF2 run each. */
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    // Spent on unknown users too, so response time does not tell which user names exist.
    private final Map<Integer, String> dummyHashes = new ConcurrentHashMap<>();

    AclAuthenticator(AccountBook accounts) {
        this.accounts = accounts;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket c = input.getConnectPacket();
        String name = c.getUserName().orElse(null);
        char[] password = c.getPassword().map(AclAuthenticator::utf8).orElse(null);
        try {
            BrokerConfig.User user = name == null ? null : accounts.find(name);
            if (!passwordMatches(user, password)) {
                output.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
                return;
            }
            String clientId = c.getClientId();
            if (!clientId.equals(name) && !clientId.startsWith(name + ".")) {
                output.failAuthentication(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                        "client id must be '" + name + "' or start with '" + name + ".'");
                return;
            }
            ModifiableDefaultPermissions perms = output.getDefaultPermissions();
            perms.addAll(permissions(user));
            perms.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
            output.authenticateSuccessfully();
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    private boolean passwordMatches(BrokerConfig.User user, char[] password) {
        if (password == null) {
            return false;
        }
        if (user == null) {
            Passwords.verify(dummyHash(), password);
            return false;
        }
        byte[] quick = quickDigest(user, password);
        byte[] known = verified.get(user.username());
        if (known != null && MessageDigest.isEqual(known, quick)) {
            return true;
        }
        if (Passwords.verify(user.passwordHash(), password)) {
            verified.put(user.username(), quick);
            return true;
        }
        return false;
    }

    /** SHA-256 over the stored hash and the password: only ever compared, never stored on disk. */
    private static byte[] quickDigest(BrokerConfig.User user, char[] password) {
        MessageDigest md = org.diredi.messaging.Hashes.sha256();
        md.update(user.passwordHash().getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        md.update(b);
        return md.digest();
    }

    /** A hash of the work factor real accounts use, made once per work factor. */
    private String dummyHash() {
        BrokerConfig.User any = accounts.any();
        int iterations = any == null ? Passwords.DEFAULT_ITERATIONS : Passwords.parse(any.passwordHash()).iterations();
        return dummyHashes.computeIfAbsent(iterations, it -> Passwords.hash("not-a-user".toCharArray(), it));
    }

    static List<TopicPermission> permissions(BrokerConfig.User u) {
        List<TopicPermission> p = new ArrayList<>();
        for (Grants.Grant g : Grants.of(u)) {
            p.add(Builders.topicPermission()
                    .topicFilter(g.filter())
                    .activity(switch (g.access()) {
                        case RECEIVE -> MqttActivity.SUBSCRIBE;
                        case PUBLISH -> MqttActivity.PUBLISH;
                        case BOTH -> MqttActivity.ALL;
                    })
                    .sharedSubscription(g.shared() ? SharedSubscription.ALL : SharedSubscription.NOT_SHARED)
                    .build());
        }
        return p;
    }

    private static char[] utf8(ByteBuffer b) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().decode(b.asReadOnlyBuffer());
            char[] out = new char[cb.remaining()];
            cb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            return null; // not UTF-8: cannot match any configured password
        }
    }
}
