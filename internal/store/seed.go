package store

import (
	"context"

	"recours/internal/domain"
)

// DemoCafs are the Cafs the embedded default starts with.
var DemoCafs = map[string]string{
	"071": "Caf de l'Ardèche",
	"074": "Caf de la Haute-Savoie",
	"042": "Caf de la Loire",
	"043": "Caf de la Haute-Loire",
}

// DemoUser is a seeded agent: one per role, in Caf 071 unless said.
type DemoUser struct {
	Login string
	Name  string
	Role  domain.Role
	Cafs  []string
}

// DemoCafDetails is what the demo Cafs' letters say of them: the service in
// charge, how to reach it, who signs the letters no agent signs.
var DemoCafDetails = CafDetails{
	Contact:           ptr("3230 (service gratuit + prix d'appel), du lundi au vendredi de 9 h à 16 h, ou votre espace Mon Compte sur caf.fr"),
	ServiceName:       ptr("le pôle relation allocataires"),
	SignatoryName:     ptr("Marc Andrieu"),
	SignatoryFunction: ptr("Responsable du pôle relation allocataires"),
}

// DemoCafAddresses are the demo Cafs' postal addresses.
var DemoCafAddresses = map[string]string{
	"071": "Service relation allocataires\nCS 70001\n07007 Privas Cedex",
	"074": "Service relation allocataires\nCS 70001\n74007 Annecy Cedex",
	"042": "Service relation allocataires\nCS 70001\n42007 Saint-Étienne Cedex",
	"043": "Service relation allocataires\nCS 70001\n43007 Le Puy-en-Velay Cedex",
}

func ptr(s string) *string { return &s }

// DemoUsers are the users of the contract's "Demo users" section.
var DemoUsers = []DemoUser{
	{"csu.demo", "Camille Sauvage", domain.RoleCSU, []string{"071", "074", "042", "043"}},
	{"gca.demo", "Gaëlle Caron", domain.RoleGCA, []string{"071"}},
	{"manager.demo", "Marc Andrieu", domain.RoleManager, []string{"071"}},
	{"mediator.demo", "Mireille Durand", domain.RoleMediator, []string{"071"}},
	{"ddd.demo", "Délégué du Défenseur des droits", domain.RoleDDDLiaison, []string{"071"}},
	{"auditor.demo", "Aurélien Dupuis", domain.RoleAuditor, []string{"071"}},
	{"admin.demo", "Adèle Martin", domain.RoleAdmin, []string{"071"}},
}

// SeedDemo creates the demo Cafs and users; running it again changes nothing.
func (s *Store) SeedDemo(ctx context.Context) error {
	for code, name := range DemoCafs {
		if err := s.UpsertOrganisation(ctx, code, name); err != nil {
			return err
		}
		// Once: what an administrator changed afterwards stays.
		var addresses []string
		if err := s.db.WithContext(ctx).Model(&Organisation{}).Where("code = ?", code).Pluck("address", &addresses).Error; err != nil {
			return err
		}
		if len(addresses) == 0 || addresses[0] == "" {
			d := DemoCafDetails
			d.Address = ptr(DemoCafAddresses[code])
			if err := s.SetCafDetails(ctx, code, d); err != nil {
				return err
			}
		}
	}
	for _, u := range DemoUsers {
		for _, caf := range u.Cafs {
			if err := s.Grant(ctx, u.Login, u.Name, caf, u.Role); err != nil {
				return err
			}
		}
	}
	// The demo liaison's delegation, and the secret that signs the
	// decisions pushed to it: for the embedded default only.
	if err := s.UpsertPartner(ctx, DemoPartner, "Défenseur des droits (démonstration)", DemoPartnerSecret); err != nil {
		return err
	}
	// Its callbacks go to the demo machine itself. Once: a list an
	// operator changed afterwards stays.
	demo, err := s.Partner(ctx, DemoPartner)
	if err != nil {
		return err
	}
	if demo.CallbackHosts == "" {
		if err := s.SetPartnerCallbackHosts(ctx, DemoPartner, DemoPartnerHosts); err != nil {
			return err
		}
	}
	if err := s.SetUserFunction(ctx, "csu.demo", "Conseillère service à l'usager, plateforme régionale"); err != nil {
		return err
	}
	if err := s.SetUserFunction(ctx, "mediator.demo", "Médiatrice de la Caf"); err != nil {
		return err
	}
	return s.SetPartner(ctx, DemoPartnerLogin, DemoPartner)
}

// The demo partner of the embedded default.
const (
	DemoPartner       = "ddd-demo"
	DemoPartnerLogin  = "ddd.demo" // the demo user of DemoPartner: the API only, never the web interface
	DemoPartnerSecret = "demo-secret-not-for-production"
)

// DemoPartnerHosts are the callback hosts of the demo partner: this
// machine (the embedded default lets its deliveries reach it).
var DemoPartnerHosts = []string{"localhost", "127.0.0.1", "::1"}
