package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"recours/internal/calendar"
	"recours/internal/domain"
)

func cafCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "caf", Short: "Show or change a Caf's deadline policy and what its messages say"}
	var c conn
	var code, dayMode, overpaymentThreshold, mediatorContact string
	policy := &cobra.Command{
		Use:   "policy",
		Short: "Print the Caf's deadline policy; with flags, change it for files opened from now on",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := c.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			org, err := st.Organisation(ctx, code)
			if err != nil {
				return err
			}
			p := org.Policy()
			f := cmd.Flags()
			changed := f.Changed("day-mode")
			if changed {
				p.DayMode = calendar.Mode(dayMode)
			}
			for name, v := range map[string]*int{"acknowledgment-days": &p.AcknowledgmentDays, "target-days": &p.TargetDays,
				"legal-days": &p.LegalDays, "reminder-days-before": &p.ReminderDaysBefore,
				"mediation-target-days": &p.MediationTargetDays, "mediation-legal-days": &p.MediationLegalDays,
				"opinion-days": &p.OpinionDays} {
				if f.Changed(name) {
					*v, _ = f.GetInt(name)
					changed = true
				}
			}
			if changed {
				if err := st.SetPolicy(ctx, code, p); err != nil {
					return err
				}
			}
			var threshold *int64
			var contact *string
			if f.Changed("overpayment-threshold") {
				cents, ok := domain.ParseAmount(overpaymentThreshold)
				if !ok {
					return fmt.Errorf("--overpayment-threshold: a positive amount in euros, e.g. 1500")
				}
				threshold = &cents
			}
			if f.Changed("mediator-contact") {
				contact = &mediatorContact
			}
			if err := st.SetCafContact(ctx, code, threshold, contact); err != nil {
				return err
			}
			if org, err = st.Organisation(ctx, code); err != nil {
				return err
			}
			b, _ := json.MarshalIndent(struct {
				domain.Policy
				OverpaymentThreshold string `json:"overpayment_threshold"`
				MediatorContact      string `json:"mediator_contact"`
			}{p, domain.FormatCents(org.OverpaymentThresholdCents), org.MediatorContact}, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	c.databaseFlags(policy)
	policy.Flags().StringVar(&code, "caf", "", "the Caf's number, e.g. 071 (required)")
	policy.Flags().StringVar(&dayMode, "day-mode", "", "calendar, or working (Monday–Friday without French public holidays)")
	policy.Flags().Int("acknowledgment-days", 0, "acknowledgment deadline")
	policy.Flags().Int("target-days", 0, "answer target")
	policy.Flags().Int("legal-days", 0, "answer legal limit")
	policy.Flags().Int("reminder-days-before", 0, "reminder, days before the target")
	policy.Flags().Int("mediation-target-days", 0, "mediation decision target")
	policy.Flags().Int("mediation-legal-days", 0, "mediation decision legal limit")
	policy.Flags().Int("opinion-days", 0, "a service's time to give its opinion, by default")
	policy.Flags().StringVar(&overpaymentThreshold, "overpayment-threshold", "", "amount in euros from which an overpayment notice needs the enriched explanation and a phone attempt (1500 by default)")
	policy.Flags().StringVar(&mediatorContact, "mediator-contact", "", "how claimants reach the Caf's mediator, as the messages say it")
	_ = policy.MarkFlagRequired("caf")
	cmd.AddCommand(policy)
	return cmd
}
