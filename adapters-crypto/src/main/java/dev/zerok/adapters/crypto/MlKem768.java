package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Kem;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;

/** ML-KEM-768 (FIPS 203) from Bouncy Castle's lightweight API. */
final class MlKem768 implements Kem {
    static final int PUBLIC_KEY_BYTES = 1184;
    static final int PRIVATE_KEY_BYTES = 2400;
    static final int CIPHERTEXT_BYTES = 1088;
    static final int SHARED_SECRET_BYTES = 32;
    private static final int MODULUS_Q = 3329;
    private static final int ENCODED_POLYNOMIALS_BYTES = 3 * 384;

    @Override
    public String name() {
        return "MLKEM768";
    }

    @Override
    public int publicKeyBytes() {
        return PUBLIC_KEY_BYTES;
    }

    @Override
    public int ciphertextBytes() {
        return CIPHERTEXT_BYTES;
    }

    @Override
    public int sharedSecretBytes() {
        return SHARED_SECRET_BYTES;
    }

    @Override
    public KeyPair generateKeyPair(Entropy entropy) {
        MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
        generator.init(new MLKEMKeyGenerationParameters(new EntropySecureRandom(entropy), MLKEMParameters.ml_kem_768));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        MLKEMPrivateKeyParameters privateKey = ((MLKEMPrivateKeyParameters) pair.getPrivate())
                .getParametersWithFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY);
        byte[] publicKey = ((MLKEMPublicKeyParameters) pair.getPublic()).getEncoded();
        return new KeyPair(publicKey, Secret.adopt(privateKey.getEncoded()));
    }

    @Override
    public Encapsulation encapsulate(byte[] publicKey, Entropy entropy) throws CryptoException {
        checkEncapsulationKey(publicKey);
        MLKEMGenerator generator = new MLKEMGenerator(new EntropySecureRandom(entropy));
        SecretWithEncapsulation result = generator.generateEncapsulated(
                new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_768, publicKey));
        return new Encapsulation(result.getEncapsulation(), Secret.adopt(result.getSecret()));
    }

    @Override
    public Secret decapsulate(Secret privateKey, byte[] ciphertext) throws CryptoException {
        if (ciphertext.length != CIPHERTEXT_BYTES) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "ML-KEM-768 ciphertext must be " + CIPHERTEXT_BYTES + " bytes, got " + ciphertext.length);
        }
        if (privateKey.length() != PRIVATE_KEY_BYTES) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "ML-KEM-768 private key must be " + PRIVATE_KEY_BYTES + " bytes, got " + privateKey.length());
        }
        MLKEMPrivateKeyParameters parameters;
        try {
            parameters = new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, privateKey.expose());
        } catch (IllegalArgumentException e) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY, "ML-KEM-768 private key is not a valid encoding");
        }
        return Secret.adopt(new MLKEMExtractor(parameters).extractSecret(ciphertext));
    }

    /**
     * FIPS 203 section 7.2 "modulus check": every 12-bit coefficient of the encoded polynomial
     * vector must be below q, otherwise the key was not produced by ML-KEM.KeyGen.
     */
    static void checkEncapsulationKey(byte[] publicKey) throws CryptoException {
        if (publicKey.length != PUBLIC_KEY_BYTES) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "ML-KEM-768 public key must be " + PUBLIC_KEY_BYTES + " bytes, got " + publicKey.length);
        }
        for (int i = 0; i < ENCODED_POLYNOMIALS_BYTES; i += 3) {
            int b0 = publicKey[i] & 0xff;
            int b1 = publicKey[i + 1] & 0xff;
            int b2 = publicKey[i + 2] & 0xff;
            int low = b0 | ((b1 & 0x0f) << 8);
            int high = (b1 >>> 4) | (b2 << 4);
            if (low >= MODULUS_Q || high >= MODULUS_Q) {
                throw new CryptoException(CryptoException.Code.INVALID_KEY,
                        "ML-KEM-768 public key fails the FIPS 203 modulus check");
            }
        }
    }
}
