"""The people, startups and applications of the demo incubator (plain data, no database access).

Names, provinces and sectors are meant to look like a real Cambodian cohort; emails use the
reserved ``example.com`` domain so nothing can reach a real inbox.
"""
from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-pass-2026"
# The demo is considered loaded once this account exists (``flask demo`` is then a no-op).
MARKER_EMAIL = "manager@example.com"


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    role: str
    is_admin: bool = False
    timezone: str = "Asia/Phnom_Penh"
    locale: str = "en"


ACCOUNTS = {
    "manager": Account(MARKER_EMAIL, "Sophea Lim", "manager", is_admin=True),
    "programs": Account("programs@example.com", "Chanthou Heng", "manager", locale="km"),
    "founder": Account("founder@example.com", "Sokha Chan", "founder"),
    "mentor": Account("mentor@example.com", "Dara Pich", "mentor"),
    "seoul": Account("mentor.seoul@example.com", "Park Ji-woo", "mentor", timezone="Asia/Seoul"),
    "shanghai": Account("mentor.shanghai@example.com", "Li Wei", "mentor", timezone="Asia/Shanghai"),
    "berlin": Account("mentor.berlin@example.com", "Anna Becker", "mentor", timezone="Europe/Berlin"),
    "investor": Account("investor@example.com", "Vuthy Sok", "investor"),
}

# Startups that left the programme early (the demo shows every status).
WITHDRAWN_STARTUPS = ("Bamboo Build",)

# Shown after ``flask demo``: one account per kind of user.
LOGINS = ("manager", "founder", "mentor", "investor")

RUNNING_RUBRIC = [
    {"name": "Problem and market", "description": "A real, sizeable problem for Cambodian customers.", "weight": 3},
    {"name": "Solution and innovation", "description": "Clearly better than what people use today.", "weight": 3},
    {"name": "Team", "description": "Skills and commitment to carry it for two years.", "weight": 2},
    {"name": "Traction", "description": "Pilots, paying users or letters of intent.", "weight": 1},
    {"name": "Impact in Cambodia", "description": "Jobs, incomes or services outside Phnom Penh.", "weight": 1},
]

OPEN_RUBRIC = [
    {"name": "Problem", "description": "Who has the problem and how badly.", "weight": 2},
    {"name": "Innovation", "description": "Technology that gives a lasting edge.", "weight": 3},
    {"name": "Team", "description": "Founders who can build and sell it.", "weight": 3},
    {"name": "Feasibility", "description": "A credible plan for the six months of the programme.", "weight": 2},
]

COMMENTS = {
    5: "Excellent fit for the programme; strong team and clear customers.",
    4: "Promising. Needs sharper unit economics before the investor day.",
    3: "Interesting idea, but the market size is unclear.",
    2: "Early; the team should come back after a pilot.",
    1: "Not a technology business yet.",
}


@dataclass(frozen=True)
class Pitch:
    """One application; ``outcome`` is the decision made on it (``submitted`` = still under review).

    ``founders`` are ``(name, gender)`` or ``(name, gender, email)``; ``team`` adds non-founder
    members ``(name, gender, role title)`` once the startup exists. ``reviews`` maps reviewer
    account keys to ``done``, ``pending`` or ``conflict``; ``None`` means "two reviewers, both done".
    """

    name: str
    sector: str
    stage: str
    province: str
    founders: tuple[tuple[str, ...], ...]
    problem: str
    solution: str
    traction: str = ""
    outcome: str = "accepted"
    quality: int = 4
    locale: str = "en"
    founded: int | None = None
    team: tuple[tuple[str, str, str], ...] = ()
    reviews: dict[str, str] | None = None


RUNNING_PITCHES = [
    Pitch("Kasekor Cold Chain", "agritech", "early_revenue", "battambang",
          (("Sokha Chan", "female", "founder@example.com"), ("Vannak Meas", "male")),
          "កសិករបាត់បង់បន្លែប្រហែលមួយភាគបីក្រោយប្រមូលផល ព្រោះគ្មានកន្លែងរក្សាទុកត្រជាក់។",
          "បន្ទប់ត្រជាក់ដំណើរការដោយថាមពលពន្លឺព្រះអាទិត្យ ដែលកសិករអាចជួលតាមថ្ងៃ ដើម្បីរក្សាបន្លែ "
          "និងផ្លែឈើឱ្យស្រស់បានយូរ និងលក់បានតម្លៃល្អ។",
          "Three cold rooms running in Battambang; 140 farmers rent space each month.",
          quality=5, locale="km", founded=2024, team=(("Sreyleak Touch", "female", "Operations lead"),)),
    Pitch("Srov Smart", "agritech", "prototype", "takeo", (("Rithy Ouk", "male"),),
          "Wet-season paddy rots before it can be dried and sold.",
          "A biomass-fired mobile rice dryer shared by a village cooperative, booked by SMS.",
          "Prototype dried 40 tonnes for two cooperatives.", quality=4, founded=2025),
    Pitch("AngkorPay", "digital", "growth", "phnom_penh", (("Bopha Keo", "female"), ("Visal Chhim", "male")),
          "Market vendors cannot accept cashless payments without a bank account.",
          "KHQR payments and a simple ledger on any phone, settled in riel or dollars.",
          "2,300 vendors; USD 180,000 processed each month.", quality=5, founded=2023,
          team=(("Kanha Ros", "female", "Head of sales"), ("Mony Sam", "male", "Backend engineer"))),
    Pitch("Rean Khmer", "education", "early_revenue", "siem_reap", (("Sreymom Keo", "female"),),
          "សិស្សនៅតាមខេត្តជាច្រើនខ្វះគ្រូ និងឯកសាររៀនគណិតវិទ្យាជាភាសាខ្មែរ។",
          "កម្មវិធីទូរស័ព្ទសម្រាប់សិស្សថ្នាក់ទី ៧ ដល់ទី ១២ រៀនគណិតវិទ្យា និងវិទ្យាសាស្ត្រជាភាសាខ្មែរ "
          "ដោយប្រើបានទាំងពេលគ្មានអ៊ីនធឺណិត។",
          "11,000 downloads; used in 14 public schools.", quality=4, locale="km", founded=2024),
    Pitch("Mekong BioLab", "biotech", "prototype", "kandal", (("Kimheng Ly", "male"), ("Sophany Nhem", "female")),
          "Fish farmers lose stock to disease diagnosed too late.",
          "A low-cost PCR test kit for common fish pathogens with results in two hours.",
          "Validated with the Fisheries Administration on 300 samples.", quality=4, founded=2025),
    Pitch("Kampot Pepper Co.", "food", "growth", "kampot", (("Chenda Mao", "female"),),
          "Smallholders sell Kampot pepper to middlemen at a fraction of its export price.",
          "Traceable, graded pepper sold direct to buyers in Europe and Japan with a QR code per batch.",
          "USD 95,000 in export sales last year.", quality=4, founded=2022),
    Pitch("Palm Sugar Collective", "food", "early_revenue", "kampong_speu",
          (("Malis Heng", "female"), ("Sothea Prak", "male")),
          "Palm sugar tappers earn little and the trade is dying out.",
          "A shared processing unit and brand for organic palm sugar from 60 families.",
          "Listed in four supermarkets in Phnom Penh.", quality=3, founded=2023),
    Pitch("Solar Srok", "clean_energy", "early_revenue", "kampong_cham", (("Piseth Nhem", "male"),),
          "Rural shops pay high prices for unreliable grid power.",
          "Pay-as-you-go solar kits for shops and homes, paid by mobile money.",
          "620 kits installed; repayment rate 94%.", quality=5, founded=2023),
    Pitch("BioGas Kampuchea", "clean_energy", "prototype", "prey_veng", (("Sokunthea Yim", "female"),),
          "Families cook with firewood and charcoal that damage health and forests.",
          "Prefabricated biogas digesters for pig and cattle farms, installed in a day.",
          "25 digesters installed in pilot villages.", quality=4, founded=2025),
    Pitch("Dey Eth Pottery", "manufacturing", "early_revenue", "kampong_chhnang", (("Navy Chea", "female"),),
          "Traditional potters lose work to imported plastic and cannot reach hotels.",
          "An electric kiln workshop making glazed tableware for restaurants and hotels.",
          "Orders from 12 hotels in Siem Reap and Phnom Penh.", quality=3, founded=2022),
    Pitch("Bamboo Build", "manufacturing", "prototype", "kampong_thom", (("Ratanak Sam", "male"),),
          "Concrete and steel are expensive for rural schools and clinics.",
          "Treated, engineered bamboo panels for fast and cheap buildings.",
          "Two classrooms built with an NGO partner.", quality=3, founded=2024),
    Pitch("MediQueue", "health", "early_revenue", "phnom_penh", (("Leakhena Som", "female"), ("Kosal Pen", "male")),
          "Patients wait half a day at provincial hospitals without knowing when they will be seen.",
          "Queue tickets by SMS and Telegram, with reminders and a dashboard for hospital staff.",
          "Running in three referral hospitals.", quality=4, founded=2024),
    Pitch("Mondul Herbal", "health", "prototype", "mondulkiri", (("Samnang Yos", "male"),),
          "Traditional Bunong remedies are sold without quality control.",
          "Standardised herbal teas and balms made with Bunong growers, with lab-tested quality.",
          "First batch sold out at two markets.", quality=3, founded=2025),
    Pitch("CodeSala", "education", "prototype", "battambang", (("Channary Ros", "female"),),
          "Provincial students cannot learn programming outside Phnom Penh.",
          "Blended coding bootcamps taught in Khmer, with weekend labs in provincial universities.",
          "Two bootcamps; 48 graduates, 19 employed.", quality=4, founded=2024),
    Pitch("TukTuk Track", "digital", "prototype", "preah_sihanouk",
          (("Sovann Kong", "male"), ("Theary Chhun", "female")),
          "Small shops cannot track deliveries made by tuk-tuk drivers.",
          "A delivery app for tuk-tuk drivers with live tracking and cash-on-delivery reconciliation.",
          "180 drivers and 90 shops in Sihanoukville.", quality=3, founded=2025),
    Pitch("Mekong Recycling", "other", "early_revenue", "kratie", (("Sopheap Seng", "female"),),
          "Plastic waste is burned or dumped in the river.",
          "Collection points paying households for plastic, pressed into paving tiles.",
          "12 tonnes of plastic collected; tiles sold to the provincial hall.", quality=4, founded=2023),
    Pitch("Angkor Drone Spray", "agritech", "idea", "siem_reap", (("Vibol Tep", "male"),),
          "Spraying rice fields by hand is slow and unhealthy.",
          "Drone spraying as a service for rice farmers.", outcome="rejected", quality=2),
    Pitch("Lotus Lending", "digital", "idea", "phnom_penh", (("Rachana Ouch", "female"),),
          "Young people cannot borrow small amounts to start a business.",
          "Peer-to-peer micro-loans scored on phone usage.", outcome="waitlisted", quality=3),
]

OPEN_PITCHES = [
    Pitch("KhmerVoice AI", "digital", "prototype", "phnom_penh", (("Sothy Lay", "male"), ("Phalla Kim", "female")),
          "Call centres and government hotlines cannot transcribe Khmer speech.",
          "Speech recognition for Khmer, offered as an API and a call-centre dashboard.",
          "Word error rate of 14% on our test set; two paying pilots.", quality=5,
          reviews={"mentor": "done", "seoul": "done", "manager": "done"}),
    Pitch("Pailin Solar Pumps", "clean_energy", "early_revenue", "pailin", (("Bunthoeun Yem", "male"),),
          "Diesel irrigation pumps are expensive to run in the dry season.",
          "Solar water pumps leased to farmer groups and paid after the harvest.",
          "38 pumps leased in Pailin and Battambang.", quality=4,
          reviews={"berlin": "done", "shanghai": "done"}),
    Pitch("TeleMed Koh Kong", "health", "prototype", "koh_kong", (("Davy Heng", "female"),),
          "Coastal villages are hours away from a doctor.",
          "Video consultations from health centres with partner doctors in Phnom Penh.",
          "Pilot in four health centres.", quality=4,
          reviews={"mentor": "done", "programs": "done"}),
    Pitch("AquaSense", "agritech", "prototype", "stung_treng", (("Seila Vong", "male"), ("Neary Kang", "female")),
          "Fish ponds lose stock when oxygen drops overnight.",
          "Cheap water sensors that alert fish farmers by phone and start aerators automatically.",
          "Sensors in 20 ponds; losses down by half.", quality=4,
          reviews={"seoul": "done", "berlin": "done"}),
    Pitch("EduBus", "education", "idea", "svay_rieng", (("Kunthea Pov", "female"),),
          "Rural children drop out because school is too far.",
          "Route planning and parent payments for shared school minibuses.", outcome="waitlisted", quality=3,
          reviews={"shanghai": "done", "programs": "done"}),
    Pitch("ParkEasy", "digital", "idea", "phnom_penh", (("Narith Chea", "male"),),
          "Parking in central Phnom Penh is hard to find.",
          "An app listing paid parking spaces.", outcome="rejected", quality=2,
          reviews={"berlin": "done", "programs": "done"}),
    Pitch("Ratanakiri Wild Honey", "agritech", "early_revenue", "ratanakiri", (("Chanthy Lorn", "female"),),
          "Forest honey collectors get low prices and fake honey spoils the market.",
          "Certified wild honey with a lab test per batch and fair prices for collectors.",
          "Supplying two cafés and an online shop.", outcome="submitted", quality=4,
          reviews={"mentor": "pending", "seoul": "done", "manager": "done"}),
    Pitch("Green Brick", "clean_energy", "prototype", "banteay_meanchey", (("Sovannara Heng", "male"),),
          "Brick kilns burn wood and garment waste.",
          "Unfired compressed-earth bricks made with a mobile press.",
          "A demonstration house built.", outcome="submitted", quality=3,
          reviews={"mentor": "pending", "shanghai": "conflict", "berlin": "done"}),
    Pitch("Clear Water Preah Vihear", "health", "early_revenue", "preah_vihear", (("Sreypich Nuon", "female"),),
          "Families drink untreated pond water in the dry season.",
          "Ceramic water filters made locally and sold on instalments through village shops.",
          "1,100 filters sold.", outcome="submitted", quality=4,
          reviews={"mentor": "pending", "programs": "pending"}),
    Pitch("Cashew Link", "agritech", "prototype", "tbong_khmum", (("Phearun Chhay", "male"),),
          "Raw cashews are exported unprocessed at low prices.",
          "A marketplace linking cashew growers to local processors with quality grading.",
          "40 growers and three processors signed up.", outcome="submitted", quality=3,
          reviews={"seoul": "pending"}),
    Pitch("Diaspora Tutors", "education", "idea", "outside", (("Sophal Meng", "male"),),
          "Khmer families abroad want their children to learn Khmer.",
          "Online Khmer lessons with tutors in Cambodia, paid in dollars and euros.",
          outcome="submitted", quality=3, reviews={}),
]
