package main

import (
	"github.com/spf13/cobra"

	"recours/internal/messages"
)

// messageFlags configures where the messages to claimants go. Without an
// SMTP server or a mail-room folder, they are written to the outbox folder.
func messageFlags(cmd *cobra.Command, cfg *messages.Config, outboxDefault string) {
	f := cmd.Flags()
	f.StringVar(&cfg.OutboxDir, "outbox", env("RECOURS_OUTBOX", outboxDefault), "folder that receives every message as .eml and .pdf when no channel is configured (RECOURS_OUTBOX)")
	f.StringVar(&cfg.Email.Host, "smtp-host", env("SMTP_HOST", ""), "SMTP server for the emails to claimants (SMTP_HOST)")
	f.IntVar(&cfg.Email.Port, "smtp-port", envInt("SMTP_PORT", 587), "SMTP port (SMTP_PORT)")
	f.StringVar((*string)(&cfg.Email.TLS), "smtp-tls", env("SMTP_TLS", string(messages.TLSMandatory)), "mandatory (STARTTLS), implicit (SMTPS), opportunistic or none (SMTP_TLS)")
	f.StringVar(&cfg.Email.From, "smtp-from", env("SMTP_FROM", ""), "sender address of the emails (SMTP_FROM)")
	f.StringVar(&cfg.Email.Username, "smtp-username", env("SMTP_USERNAME", ""), "SMTP user name, if the server asks for one (SMTP_USERNAME)")
	cfg.Email.Password = env("SMTP_PASSWORD", "") // never a flag: it would show in the process list
	f.StringVar(&cfg.LetterDir, "letter-dir", env("LETTER_DIR", ""), "mail-room folder that receives the PDF letters to post (LETTER_DIR)")
	f.StringVar(&cfg.SMSEndpoint, "sms-endpoint", env("SMS_ENDPOINT", ""), "HTTP endpoint of the SMS provider; no SMS when empty (SMS_ENDPOINT)")
	cfg.SMSKey = env("SMS_API_KEY", "")
}
