package dev.vellum.notify;

import dev.vellum.config.VellumConfig;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.jspecify.annotations.Nullable;

/**
 * Sends e-mail through the node's SMTP server with Jakarta Mail (Angus): {@code starttls} makes
 * STARTTLS required (a server that does not offer it fails the send rather than getting the message
 * in clear), {@code tls} is implicit TLS; both check the server's certificate and name. Each
 * message is {@code multipart/alternative}: plain text, then HTML.
 */
final class Mailer {
  /** A failure the server gave as permanent (a 5xx reply): retrying will not help. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final VellumConfig.Smtp smtp;
  private final Session session;

  Mailer(VellumConfig.Smtp smtp, @Nullable String password, Duration connect, Duration total) {
    this.smtp = smtp;
    Properties p = new Properties();
    p.put("mail.smtp.host", String.valueOf(smtp.host()));
    p.put("mail.smtp.port", Integer.toString(smtp.port()));
    p.put("mail.smtp.connectiontimeout", Long.toString(connect.toMillis()));
    p.put("mail.smtp.timeout", Long.toString(total.toMillis()));
    p.put("mail.smtp.writetimeout", Long.toString(total.toMillis()));
    p.put("mail.smtp.from", smtp.from());
    if ("starttls".equals(smtp.security())) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    } else if ("tls".equals(smtp.security())) {
      p.put("mail.smtp.ssl.enable", "true");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    String user = smtp.username();
    Authenticator auth = null;
    if (user != null) {
      p.put("mail.smtp.auth", "true");
      String secret = password == null ? "" : password;
      auth =
          new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
              return new PasswordAuthentication(user, secret);
            }
          };
    }
    this.session = Session.getInstance(p, auth);
  }

  /** Sends one message; {@link Rejected} for a permanent refusal, else the transport's error. */
  void send(List<String> to, String subject, String text, String html, String deliveryId)
      throws MessagingException, Rejected {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(smtp.from()));
    for (String address : to) {
      m.addRecipient(Message.RecipientType.TO, new InternetAddress(address));
    }
    m.setSubject(subject, "UTF-8");
    m.setSentDate(new Date());
    // receivers de-duplicate on it, like the webhook header of the same name
    m.setHeader("Vellum-Delivery-Id", deliveryId);
    MimeBodyPart plain = new MimeBodyPart();
    plain.setText(text, "UTF-8", "plain");
    MimeBodyPart rich = new MimeBodyPart();
    rich.setText(html, "UTF-8", "html");
    m.setContent(new MimeMultipart("alternative", plain, rich));
    try {
      Transport.send(m);
    } catch (SendFailedException e) {
      if (permanent(e)) {
        throw new Rejected("the SMTP server refused the message: " + e.getMessage(), e);
      }
      throw e;
    }
  }

  private static boolean permanent(SendFailedException e) {
    Exception next = e;
    while (next != null) {
      if (next instanceof SMTPAddressFailedException a && a.getReturnCode() >= 500) {
        return true;
      }
      if (next instanceof SMTPSendFailedException s && s.getReturnCode() >= 500) {
        return true;
      }
      next = next instanceof MessagingException me ? me.getNextException() : null;
    }
    return false;
  }
}
