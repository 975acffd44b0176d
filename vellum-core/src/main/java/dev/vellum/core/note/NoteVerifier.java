package dev.vellum.core.note;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Verifies C2SP signed notes against one trusted Ed25519 key, given as a verifier-key string {@code
 * <name>+<8 hex key id>+<base64(0x01 ‖ public key)>}. Thread-safe.
 */
public final class NoteVerifier {

  private static final int MAX_SIGNATURES = 100;

  private final String name;
  private final int keyId;
  private final byte[] publicKeyBytes;
  private final PublicKey publicKey;

  private NoteVerifier(String name, int keyId, byte[] publicKeyBytes) {
    this.name = name;
    this.keyId = keyId;
    this.publicKeyBytes = publicKeyBytes;
    this.publicKey = Ed25519Keys.publicKey(publicKeyBytes);
  }

  /**
   * Parses a verifier-key string.
   *
   * @throws NoteException if it is malformed, not Ed25519, or its key id does not match
   */
  public static NoteVerifier parse(String vkey) {
    if (vkey == null) {
      throw new NoteException("verifier key is missing");
    }
    String[] parts = vkey.split("\\+", 3); // base64 may itself contain '+'
    if (parts.length != 3) {
      throw new NoteException("verifier key \"" + vkey + "\" must be <name>+<hex id>+<base64 key>");
    }
    Ed25519Keys.checkName(parts[0]);
    int id = NoteFormat.parseHexId(parts[1], "verifier");
    byte[] key = NoteFormat.decodeKey(parts[2], "verifier key");
    int computed = Ed25519Keys.keyId(parts[0], key);
    if (computed != id) {
      throw new NoteException(
          "verifier key id "
              + parts[1]
              + " does not match its name and key"
              + " (computed "
              + NoteFormat.hexId(computed)
              + ")");
    }
    return new NoteVerifier(parts[0], id, key);
  }

  public String name() {
    return name;
  }

  public int keyId() {
    return keyId;
  }

  /** The verifier-key string. */
  @Override
  public String toString() {
    return name + "+" + NoteFormat.hexId(keyId) + "+" + NoteFormat.encodeKey(publicKeyBytes);
  }

  /**
   * Checks that {@code note} carries a valid signature by this key and returns its text (ending in
   * "\n"). Signature lines of other keys are ignored, but a line of this key (same name and key id)
   * that does not verify is an error.
   *
   * @throws NoteException if the note is malformed, has no signature by this key, or a signature by
   *     this key is invalid
   */
  public String verify(String note) {
    if (note == null || !note.endsWith("\n")) {
      throw new NoteException("malformed note: must end with a newline");
    }
    int split = note.lastIndexOf("\n\n");
    if (split < 0) {
      throw new NoteException("malformed note: no blank line before the signatures");
    }
    if (split + 2 >= note.length()) {
      throw new NoteException("malformed note: no signature lines after the blank line");
    }
    String text = note.substring(0, split + 1);
    NoteFormat.checkText(text);
    String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw new NoteException(
          "malformed note: "
              + lines.length
              + " signature lines, at most "
              + MAX_SIGNATURES
              + " allowed");
    }
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    boolean verified = false;
    StringBuilder others = new StringBuilder();
    for (String line : lines) {
      if (!line.startsWith(NoteFormat.SIG_PREFIX)) {
        throw new NoteException(
            "malformed note: signature line \""
                + line
                + "\" does not start with an em dash and a space");
      }
      String rest = line.substring(NoteFormat.SIG_PREFIX.length());
      int space = rest.lastIndexOf(' ');
      if (space <= 0) {
        throw new NoteException("malformed note: signature line \"" + line + "\" has no key name");
      }
      String lineName = rest.substring(0, space);
      Ed25519Keys.checkName(lineName);
      String b64 = rest.substring(space + 1);
      byte[] blob;
      try {
        blob = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw new NoteException(
            "malformed note: signature of \"" + lineName + "\" is not base64", e);
      }
      if (!Base64.getEncoder().encodeToString(blob).equals(b64)) {
        // Unused trailing bits make several spellings decode alike; accept only the canonical
        // one, so that changing any byte of a note makes it fail.
        throw new NoteException(
            "malformed note: signature of \"" + lineName + "\" is not canonical base64");
      }
      if (blob.length < 5) {
        throw new NoteException("malformed note: signature of \"" + lineName + "\" is too short");
      }
      int lineId =
          ((blob[0] & 0xff) << 24)
              | ((blob[1] & 0xff) << 16)
              | ((blob[2] & 0xff) << 8)
              | (blob[3] & 0xff);
      if (!lineName.equals(name) || lineId != keyId) {
        others
            .append(others.length() == 0 ? "" : ", ")
            .append(lineName)
            .append('+')
            .append(NoteFormat.hexId(lineId));
        continue;
      }
      if (!ed25519Verify(message, blob)) {
        throw new NoteException("invalid signature by " + name + "+" + NoteFormat.hexId(keyId));
      }
      verified = true;
    }
    if (!verified) {
      throw new NoteException(
          "no signature by "
              + name
              + "+"
              + NoteFormat.hexId(keyId)
              + " (the note is signed by: "
              + (others.length() == 0 ? "nobody" : others)
              + ")");
    }
    return text;
  }

  /**
   * Verifies a signed tlog-checkpoint whose origin MUST equal this key's name, as Vellum names
   * checkpoint keys after their log's origin.
   *
   * @throws NoteException if the note does not verify, is not a checkpoint, or names another log
   */
  public Checkpoint verifyCheckpoint(String note) {
    Checkpoint c = Checkpoint.parse(verify(note));
    if (!c.origin().equals(name)) {
      throw new NoteException(
          "checkpoint origin \"" + c.origin() + "\" does not match key name \"" + name + "\"");
    }
    return c;
  }

  private boolean ed25519Verify(byte[] message, byte[] blob) {
    if (blob.length != 4 + 64) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(message);
      return s.verify(blob, 4, 64);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // a signature the JDK cannot even decode is simply not valid
    }
  }
}
