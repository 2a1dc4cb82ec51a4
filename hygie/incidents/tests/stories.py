"""First-person incident stories, as a practitioner would tell them, with what the guide must say.

Each story holds what the person would answer (the start of each answer's French label, in
order from the start page), the outcome they must reach, actions the page must give, the
duties it must show as due with a date, to check, or not required, and due dates counted from
the discovery time. `test_stories` walks every story through the public pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FRIDAY = "2025-11-28T14:05"  # a Friday afternoon: 72 h later is Monday 1 December
MONDAY_AFTER = "2025-12-01T14:05:00+01:00"
THIRTEEN_MONTHS = "2026-12-28T14:05:00+01:00"


@dataclass(frozen=True)
class Story:
    name: str
    text: str
    answers: tuple[str, ...]
    outcome: str
    actions: tuple[str, ...] = ()  # fragments of the advice the page must give
    # Duties shown as due, with a date or "as soon as possible" (None: not checked).
    due: frozenset[str] | None = frozenset()
    to_check: frozenset[str] = frozenset()
    not_required: frozenset[str] = frozenset()
    absent: tuple[str, ...] = ()  # words that must not appear on the page
    discovered: str = FRIDAY
    deadlines: dict[str, str] = field(default_factory=dict)  # obligation → due (ISO 8601)
    says: tuple[str, ...] = ()  # other sentences the page must show (dates in words…)


def story(name: str, text: str, answers: tuple[str, ...], outcome: str, **rest) -> Story:
    for key in ("due", "to_check", "not_required"):
        if rest.get(key) is not None:
            rest[key] = frozenset(rest[key])
    return Story(name=name, text=text, answers=answers, outcome=outcome, **rest)


CNIL = "cnil_breach_notification"
REGISTER = "breach_register"
PATIENTS = "inform_patients"
COMPLAINT = "complaint_insurance_72h"
INSURER = "insurer_declaration"
OPPOSITION = "bank_card_opposition"
RECALL = "bank_transfer_recall"
DISPUTE = "card_dispute_13_months"

STORIES: list[Story] = [
    story(
        "ransomware_friday",
        "Vendredi à 14 h, ma secrétaire m'appelle : tous les fichiers du serveur finissent par "
        ".lock et un fichier texte réclame deux bitcoins.",
        ("Fichiers illisibles",),
        "ransomware",
        actions=("Débranchez le câble réseau", "Ne payez pas la rançon", "clés USB"),
        due={CNIL, REGISTER, COMPLAINT, INSURER},
        to_check={PATIENTS},
        deadlines={CNIL: MONDAY_AFTER, COMPLAINT: MONDAY_AFTER},
    ),
    story(
        "ransomware_spring_clock_change",
        "Le vendredi 27 mars à 10 h, plus rien ne s'ouvre au cabinet et un message de rançon "
        "s'affiche sur chaque poste.",
        ("Fichiers illisibles",),
        "ransomware",
        discovered="2026-03-27T10:00",
        due=None,
        deadlines={CNIL: "2026-03-30T11:00:00+02:00", COMPLAINT: "2026-03-30T11:00:00+02:00"},
    ),
    story(
        "ransomware_autumn_clock_change",
        "Vendredi 24 octobre, 9 h 30 : le logiciel métier affiche que la base est chiffrée et "
        "on menace de publier les dossiers.",
        ("Des données patients", "Les données sont chiffrées"),
        "ransomware",
        discovered="2025-10-24T09:30",
        due=None,
        deadlines={CNIL: "2025-10-27T08:30:00+01:00"},
    ),
    story(
        "ransomware_before_may_day",
        "Mardi 28 avril à 9 h, le NAS du cabinet est chiffré ; la semaine a un jour férié.",
        ("Fichiers illisibles",),
        "ransomware",
        discovered="2026-04-28T09:00",
        due=None,
        deadlines={CNIL: "2026-05-01T09:00:00+02:00"},
        says=("vendredi 1er mai 2026",),
    ),
    story(
        "attachment_opened",
        "J'ai ouvert la pièce jointe d'une « facture » de mon éditeur ; depuis, l'antivirus "
        "affiche des alertes.",
        ("J'ai reçu un e-mail suspect", "J'ai ouvert une pièce jointe"),
        "computer_compromised",
        actions=("Coupez l'appareil du réseau", "clés USB"),
        due={COMPLAINT, INSURER},
        to_check={CNIL, REGISTER},
        deadlines={COMPLAINT: MONDAY_AFTER},
    ),
    story(
        "password_on_fake_portal",
        "Un e-mail « Ameli Pro » m'a fait saisir mon identifiant et mon mot de passe sur une "
        "page qui ressemblait au vrai portail.",
        ("J'ai reçu un e-mail suspect", "J'ai cliqué sur un lien", "J'ai saisi un identifiant"),
        "credentials_phished",
        actions=("changez immédiatement le mot de passe", "Si le compte a été utilisé contre vous"),
        to_check={CNIL, REGISTER, COMPLAINT},
    ),
    story(
        "reported_without_clicking",
        "J'ai reçu un faux message de la CPAM, je n'ai rien cliqué et je veux juste le signaler.",
        ("J'ai reçu un e-mail suspect", "Rien : je l'ai seulement reçu"),
        "phishing_no_data_given",
        actions=("Bon réflexe", "Signal Spam"),
        not_required={CNIL, COMPLAINT},
        absent=("avant le",),
    ),
    story(
        "parcel_sms_card_given",
        "Un SMS de « livraison » m'a demandé 1,99 € de frais ; j'ai tapé le numéro de ma carte.",
        ("J'ai reçu un SMS", "Un SMS", "J'ai donné des coordonnées bancaires"),
        "bank_data_compromised",
        actions=("faire opposition", "0 892 705 705"),
        due={OPPOSITION},
        to_check={DISPUTE},
    ),
    story(
        "fake_bank_advisor",
        "Un « conseiller » de ma banque m'a appelé pour une fraude et m'a fait valider trois "
        "opérations dans l'application pour « les annuler ».",
        ("J'ai reçu un SMS ou un appel", "Un appel de ma « banque »", "J'ai donné un code"),
        "fake_bank_advisor",
        actions=("Raccrochez et appelez vous-même votre banque",),
        due={OPPOSITION, RECALL, DISPUTE},
        deadlines={DISPUTE: THIRTEEN_MONTHS},
    ),
    story(
        "fake_supplier_bank_details",
        "J'ai payé la facture du cabinet de radiologie sur un « nouveau RIB » reçu par e-mail.",
        ("u1", "J'ai payé une facture"),
        "fovi_fake_rib",
        actions=("demandez le rappel des fonds",),
        due={RECALL, INSURER},
        to_check={COMPLAINT},
    ),
    story(
        "mailbox_taken_over",
        "Des confrères et des patients reçoivent des e-mails de ma part demandant un virement ; "
        "une règle de transfert inconnue est dans ma boîte.",
        ("Ma messagerie ou un compte", "Ma messagerie professionnelle"),
        "mailbox_compromised",
        actions=("patients, confrères", "double authentification"),
        due={COMPLAINT, INSURER},
        to_check={CNIL, REGISTER, PATIENTS},
        deadlines={COMPLAINT: MONDAY_AFTER},
    ),
    story(
        "booking_profile_locked",
        "Je n'arrive plus à me connecter à mon profil de prise de rendez-vous et mes horaires "
        "ont été changés.",
        ("Ma messagerie ou un compte", "Mon profil de prise de rendez-vous"),
        "online_account_compromised",
        due={COMPLAINT},
        to_check={CNIL, REGISTER},
    ),
    story(
        "imaging_open_on_internet",
        "Un patient m'écrit qu'il a trouvé ses radios en ligne : le prestataire avait ouvert un "
        "port de la box pour l'accès à distance.",
        ("Des données patients", "Des dossiers patients sont accessibles"),
        "patient_data_exposed",
        actions=("fermez l'accès en cause",),
        due={CNIL, REGISTER, INSURER},
        to_check={PATIENTS, COMPLAINT},
        deadlines={CNIL: MONDAY_AFTER},
    ),
    story(
        "vendor_confirms_copy_of_records",
        "Mon éditeur de logiciel médical m'écrit que des dossiers de mes patients ont été copiés "
        "lors d'une attaque chez lui.",
        ("Des données patients", "Mon éditeur", "Les données de mes patients, et"),
        "vendor_breach",
        actions=("hébergeur de données de santé (HDS)", "Changez le mot de passe de votre compte"),
        due={CNIL, REGISTER},
        to_check={PATIENTS, INSURER},
        not_required={COMPLAINT},
        deadlines={CNIL: MONDAY_AFTER},
    ),
    story(
        "vendor_leak_only_my_account",
        "Ma plateforme de rendez-vous annonce une fuite des comptes des praticiens : identifiant "
        "et coordonnées de facturation.",
        ("Des données patients", "Mon éditeur", "Seulement mes propres données"),
        "own_data_leaked_elsewhere",
        not_required={CNIL, PATIENTS, COMPLAINT},
        absent=("c'est à vous de notifier",),
    ),
    story(
        "shop_leak_own_data",
        "Un site de vente où j'ai un compte personnel m'informe que mes données ont fuité.",
        ("Mes propres données ont fuité",),
        "own_data_leaked_elsewhere",
        actions=("Changez le mot de passe du compte concerné", "usurpation d'identité"),
        not_required={CNIL, PATIENTS, COMPLAINT},
    ),
    story(
        "letter_to_wrong_patient",
        "La secrétaire a envoyé le compte rendu d'un patient à un homonyme.",
        ("Des données patients", "J'ai envoyé des données patients au mauvais"),
        "misdirected_data",
        due={CNIL, REGISTER},
        to_check={PATIENTS},
        not_required={COMPLAINT},
        deadlines={CNIL: MONDAY_AFTER},
    ),
    story(
        "laptop_stolen_unencrypted",
        "On m'a volé mon ordinateur portable dans la voiture ; il contient des courriers de "
        "patients et je ne sais pas s'il est chiffré.",
        ("Ordinateur, téléphone, clé USB ou carte CPS", "Un ordinateur", "Oui", "Non, ou je ne"),
        "device_lost_high_risk",
        due={CNIL, REGISTER, PATIENTS, INSURER},
        deadlines={CNIL: MONDAY_AFTER},
    ),
    story(
        "phone_lost_locked_with_code",
        "J'ai perdu mon iPhone, verrouillé par un code, avec la messagerie du cabinet dessus.",
        ("Ordinateur, téléphone, clé USB ou carte CPS", "Un ordinateur", "Oui", "Oui : téléphone"),
        "device_lost_low_risk",
        due={REGISTER},
        to_check={CNIL},
        not_required={PATIENTS},
        says=("en cas de doute : avant le lundi 1er décembre 2025 à 14:05",),
    ),
    story(
        "usb_key_without_work_data",
        "J'ai perdu une clé USB avec des photos de vacances, aucune donnée du cabinet.",
        ("Ordinateur, téléphone, clé USB ou carte CPS", "Un ordinateur", "Non, aucune donnée"),
        "device_lost_low_risk",
        not_required={REGISTER, CNIL},
    ),
    story(
        "cps_card_stolen",
        "Mon sac a été volé au cabinet avec ma carte CPS dedans.",
        ("Ordinateur, téléphone, clé USB ou carte CPS", "Ma carte CPS"),
        "cps_lost_stolen",
        actions=("opposition", "Agence du numérique en santé"),
        to_check={REGISTER, CNIL},
        not_required={COMPLAINT},
    ),
    story(
        "ecps_codes_not_requested",
        "Je reçois par SMS des codes d'activation e-CPS que je n'ai jamais demandés.",
        ("Quelqu'un utilise mon identité", "Ma carte CPS ou mon e-CPS"),
        "cps_lost_stolen",
        actions=("codes d'activation e-CPS",),
    ),
    story(
        "fake_prescriptions_rpps",
        "Une pharmacie m'appelle : des ordonnances d'opioïdes à mon nom et avec mon RPPS "
        "circulent, je ne les ai jamais faites.",
        ("Quelqu'un utilise mon identité", "Des ordonnances"),
        "identity_theft_practitioner",
        actions=("Déposez plainte pour usurpation d'identité", "pharmacies"),
        not_required={CNIL, COMPLAINT},
    ),
    story(
        "fake_social_profile",
        "Un faux compte Instagram au nom du cabinet propose des consultations payées d'avance.",
        ("Quelqu'un utilise mon identité", "Un faux profil"),
        "identity_theft_practitioner",
        actions=("Pharos",),
    ),
    story(
        "fraudulent_registration",
        "Je reçois des relances pour un abonnement souscrit à mon nom, que je n'ai jamais pris.",
        ("Quelqu'un utilise mon identité", "Une inscription"),
        "identity_theft_practitioner",
        actions=("contestez-le par écrit",),
    ),
    story(
        "sepa_direct_debit",
        "Un prélèvement de 89 € d'un organisme inconnu apparaît sur le compte du cabinet.",
        ("Virement frauduleux", "Un prélèvement"),
        "sepa_direct_debit_fraud",
        actions=("rejet de ce prélèvement",),
        due={DISPUTE},
        not_required={OPPOSITION, COMPLAINT},
        deadlines={DISPUTE: THIRTEEN_MONTHS},
    ),
    story(
        "fake_gendarmerie_summons",
        "Je reçois un e-mail de « convocation » de la gendarmerie pour une affaire grave, avec "
        "une amende à régler sous 48 h.",
        ("Chantage, menace", "Un e-mail de « convocation »"),
        "fake_summons",
        actions=("Ne répondez pas",),
        not_required={COMPLAINT, CNIL},
        absent=("avant le",),
    ),
    story(
        "phone_system_toll_fraud",
        "La facture du standard affiche 3 000 € d'appels vers l'étranger passés la nuit.",
        ("Le téléphone du cabinet",),
        "phone_system_hacked",
        actions=("bloquer les appels internationaux",),
        due={COMPLAINT, INSURER},
        not_required={CNIL},
        deadlines={COMPLAINT: MONDAY_AFTER},
    ),
    story(
        "map_listing_hijacked",
        "Sur la carte en ligne, la fiche du cabinet affiche un autre numéro de téléphone.",
        ("Le site du cabinet, ma fiche", "Ma fiche sur une carte"),
        "listing_hijacked",
        actions=("Prévenez vos patients",),
        to_check={COMPLAINT, CNIL},
    ),
    story(
        "website_denial_of_service",
        "Le site du cabinet ne répond plus depuis ce matin ; son contenu n'a pas changé.",
        ("Le site du cabinet, ma fiche", "Le site ne répond plus"),
        "website_down",
        actions=("Prévenez votre hébergeur", "Ne débranchez pas"),
        absent=("Débranchez le câble",),
        due={INSURER},
        not_required={CNIL},
    ),
    story(
        "website_defaced_illegal_content",
        "Le site du cabinet affiche des pages de casino et des liens douteux.",
        ("Le site du cabinet, ma fiche", "Le site du cabinet affiche"),
        "website_attacked",
        actions=("Pharos",),
        due={COMPLAINT, INSURER},
        to_check={CNIL},
    ),
    story(
        "connected_ecg_strange",
        "Notre ECG connecté affiche des tracés incohérents et un message inconnu à l'écran.",
        ("Un appareil médical connecté",),
        "medical_device_strange",
        actions=("N'utilisez plus l'appareil pour les soins",),
        due={INSURER},
        to_check={CNIL, REGISTER, COMPLAINT},
    ),
    story(
        "harassment_after_review",
        "Depuis un avis négatif, un patient publie chaque jour des menaces contre moi sur les "
        "réseaux.",
        ("Chantage, menace", "Des messages, avis"),
        "online_harassment",
        actions=("Pharos", "3018"),
        not_required={COMPLAINT, CNIL},
    ),
    story(
        "card_payments_card_in_hand",
        "Trois achats en ligne que je n'ai pas faits, alors que ma carte est dans mon "
        "portefeuille.",
        ("Ma carte bancaire", "Des paiements que je n'ai pas faits"),
        "card_fraud",
        actions=("0 892 705 705", "Perceval"),
        due={OPPOSITION, DISPUTE},
        deadlines={DISPUTE: THIRTEEN_MONTHS},
    ),
    story(
        "fake_support_card_charged",
        "Un « technicien Microsoft » m'a fait payer 299 € par carte pour « nettoyer » mon PC.",
        ("Un appel ou une fenêtre de « support", "J'ai payé par carte"),
        "bank_data_compromised",
        due={OPPOSITION, DISPUTE},
        deadlines={DISPUTE: THIRTEEN_MONTHS},
    ),
    story(
        "card_stolen",
        "On m'a volé ma carte bancaire professionnelle ce midi.",
        ("Ma carte bancaire", "La carte est perdue"),
        "card_lost_stolen",
        actions=("Faites opposition tout de suite",),
        due={OPPOSITION},
        to_check={DISPUTE},
    ),
    story(
        "only_slowness",
        "Mon ordinateur rame depuis la dernière mise à jour, rien d'autre.",
        ("Mon ordinateur se comporte", "Seulement des lenteurs"),
        "slow_computer",
        not_required={CNIL, COMPLAINT},
        absent=("avant le",),
    ),
    story(
        "i_dont_know",
        "Quelque chose cloche au cabinet mais je ne saurais pas dire quoi.",
        ("Aucune de ces situations",),
        "general_unknown",
        absent=("avant le",),
    ),
    story(
        "webcam_blackmail",
        "Un e-mail prétend m'avoir filmé via la webcam et cite un vieux mot de passe.",
        ("Chantage, menace", "Un e-mail prétend"),
        "blackmail_mass_email",
        actions=("Ne payez pas",),
        not_required={CNIL, COMPLAINT},
    ),
    story(
        "fake_support_popup_nothing_done",
        "Une fenêtre plein écran dit que mon PC est infecté et me demande d'appeler un numéro ; "
        "je n'ai pas appelé.",
        ("Mon ordinateur se comporte", "Une fenêtre d'alerte", "Rien, ou j'ai appelé"),
        "fake_support",
        actions=("Fermez la fenêtre",),
        not_required={CNIL, COMPLAINT, INSURER},
    ),
    story(
        "sextortion_after_video_call",
        "Une femme rencontrée sur un réseau social menace d'envoyer à mes confrères une vidéo "
        "intime si je ne paie pas 500 €.",
        ("Chantage, menace", "Une personne rencontrée en ligne"),
        "sextortion",
        actions=("Arrêtez tout échange", "Déposez plainte"),
        not_required={CNIL, COMPLAINT},
    ),
]
