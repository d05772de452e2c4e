package tenant

// Name tables for the generator. The first users are fixed so that even a
// five-user test tenant has accents, CJK, right-to-left script and an
// apostrophe in a UPN; later users combine the pools below.

// personName is a display name with the ASCII forms used for the UPN.
type personName struct {
	given, surname string // as stored in givenName / surname
	display        string // displayName
	asciiGiven     string // UPN and mailNickname parts
	asciiSurname   string
	country        string // usageLocation (ISO 3166 alpha-2)
	lang           string // preferredLanguage
	city           string
}

var fixedPeople = []personName{
	{"Adele", "Vance", "Adele Vance", "adele", "vance", "US", "en-US", "Seattle"},
	{"José", "García", "José García", "jose", "garcia", "ES", "es-ES", "Madrid"},
	{"Zoë", "Müller", "Zoë Müller", "zoe", "mueller", "DE", "de-DE", "München"},
	{"Siobhán", "O'Brien", "Siobhán O'Brien", "siobhan", "o'brien", "IE", "en-IE", "Dublin"},
	{"芳", "王", "王芳", "fang", "wang", "CN", "zh-CN", "上海"},
	{"健", "佐藤", "佐藤 健", "ken", "sato", "JP", "ja-JP", "東京"},
	{"François", "Lefèvre", "François Lefèvre", "francois", "lefevre", "FR", "fr-FR", "Lyon"},
	{"민준", "김", "김민준", "minjun", "kim", "KR", "ko-KR", "서울"},
	{"Łucja", "Wiśniewska", "Łucja Wiśniewska", "lucja", "wisniewska", "PL", "pl-PL", "Kraków"},
	{"محمد", "العلي", "محمد العلي", "mohammed", "alali", "AE", "ar-AE", "دبي"},
	{"Ólafur", "Þórsson", "Ólafur Þórsson", "olafur", "thorsson", "IS", "is-IS", "Reykjavík"},
	{"Ольга", "Иванова", "Ольга Иванова", "olga", "ivanova", "DE", "ru-RU", "Berlin"},
	{"Çağla", "Öztürk", "Çağla Öztürk", "cagla", "ozturk", "TR", "tr-TR", "İstanbul"},
	{"Hương", "Nguyễn", "Nguyễn Thị Hương", "huong", "nguyen", "VN", "vi-VN", "Hà Nội"},
	{"Jean-Luc", "Ngoy", "Jean-Luc Ngoy", "jean-luc", "ngoy", "BE", "fr-BE", "Bruxelles"},
	{"Søren", "Kjærgaard", "Søren Kjærgaard", "soren", "kjaergaard", "DK", "da-DK", "København"},
}

// givenPool and surnamePool pair a display form with its ASCII form.
var givenPool = [][2]string{
	{"Alex", "alex"}, {"Megan", "megan"}, {"Priya", "priya"}, {"Lars", "lars"},
	{"Mateo", "mateo"}, {"Amélie", "amelie"}, {"Noah", "noah"}, {"Fatima", "fatima"},
	{"Kenji", "kenji"}, {"Ingrid", "ingrid"}, {"Diego", "diego"}, {"Chloé", "chloe"},
	{"Tomasz", "tomasz"}, {"Aisha", "aisha"}, {"Björn", "bjorn"}, {"Grace", "grace"},
	{"Rafał", "rafal"}, {"Mei", "mei"}, {"Oliver", "oliver"}, {"Anaïs", "anais"},
	{"Kwame", "kwame"}, {"Sofía", "sofia"}, {"Henrik", "henrik"}, {"Yuki", "yuki"},
	{"Dana", "dana"}, {"Ethan", "ethan"}, {"Leïla", "leila"}, {"Marek", "marek"},
}

var surnamePool = [][2]string{
	{"Wilber", "wilber"}, {"Bowen", "bowen"}, {"Natarajan", "natarajan"}, {"Johansson", "johansson"},
	{"Fernández", "fernandez"}, {"Dubois", "dubois"}, {"Smith", "smith"}, {"Haddad", "haddad"},
	{"Tanaka", "tanaka"}, {"Berg", "berg"}, {"Rossi", "rossi"}, {"Moreau", "moreau"},
	{"Kowalski", "kowalski"}, {"Mensah", "mensah"}, {"Lindqvist", "lindqvist"}, {"Okafor", "okafor"},
	{"Schröder", "schroeder"}, {"Chen", "chen"}, {"D'Angelo", "d'angelo"}, {"van der Berg", "vanderberg"},
	{"Novák", "novak"}, {"Ferreira", "ferreira"}, {"MacLeod", "macleod"}, {"Yılmaz", "yilmaz"},
}

var countries = []struct{ code, lang, city string }{
	{"US", "en-US", "Redmond"}, {"GB", "en-GB", "London"}, {"DE", "de-DE", "Hamburg"},
	{"FR", "fr-FR", "Paris"}, {"IN", "en-IN", "Bengaluru"}, {"BR", "pt-BR", "São Paulo"},
	{"SE", "sv-SE", "Göteborg"}, {"JP", "ja-JP", "大阪"},
}

var departments = []struct {
	name   string
	titles []string
}{
	{"Finance", []string{"Controller", "Accountant", "Financial Analyst", "Head of Finance"}},
	{"Sales", []string{"Account Executive", "Sales Manager", "Inside Sales Representative"}},
	{"Marketing", []string{"Marketing Manager", "Content Strategist", "Brand Designer"}},
	{"Engineering", []string{"Software Engineer", "Senior Software Engineer", "Engineering Manager", "SRE"}},
	{"IT", []string{"IT Administrator", "Helpdesk Technician", "Security Engineer"}},
	{"Human Resources", []string{"HR Business Partner", "Recruiter", "Payroll Specialist"}},
	{"Legal", []string{"Legal Counsel", "Paralegal"}},
	{"Operations", []string{"Operations Manager", "Logistics Coordinator", "Facilities Lead"}},
	{"Recherche & Développement", []string{"Chercheuse", "Ingénieur R&D"}},
}

// companies are the fictitious organisations the generator names tenants
// and external correspondents after.
var companies = []struct{ name, slug string }{
	{"Contoso", "contoso"}, {"Fabrikam", "fabrikam"}, {"Northwind Traders", "northwindtraders"},
	{"Tailspin Toys", "tailspintoys"}, {"Litware", "litware"}, {"Adatum", "adatum"},
	{"Woodgrove Bank", "woodgrovebank"}, {"Proseware", "proseware"}, {"Wingtip Toys", "wingtiptoys"},
	{"Alpine Ski House", "alpineskihouse"}, {"Trey Research", "treyresearch"}, {"Lamna Healthcare", "lamnahealthcare"},
}

// externalPeople write to and receive mail from the tenant's users.
var externalPeople = []struct{ name, local string }{
	{"Kai Carter", "kai.carter"}, {"Émilie Rousseau", "emilie.rousseau"}, {"Rahul Gupta", "rgupta"},
	{"Anna Kowalczyk", "anna.k"}, {"Thabo Nkosi", "thabo"}, {"Lucía Martín", "lucia.martin"},
	{"陈伟", "chen.wei"},
}

// bulkSenders send notifications and newsletters; nobody replies to them.
var bulkSenders = []struct{ name, local string }{
	{"Billing", "billing"}, {"noreply", "noreply"}, {"Support Team", "support"},
}

// mailFolderTree lists custom mail folders as name paths below a
// well-known parent, parents first. Names include accents, emoji, "/" and
// "." (legal in Exchange display names, awkward in file-system exports),
// and one long name.
var mailFolderTree = []struct {
	parent string
	path   []string
}{
	{"inbox", []string{"Projects"}},
	{"inbox", []string{"Projects", "2024"}},
	{"inbox", []string{"Projects", "2024", "Phoenix"}},
	{"inbox", []string{"Projects", "2025"}},
	{"inbox", []string{"Q3 résumé ✈️"}},
	{"inbox", []string{"Clients A/B testing"}},
	{"inbox", []string{"Clients A/B testing", "2025/06"}},
	{"inbox", []string{"Invoices 2024.06"}},
	{"inbox", []string{"Newsletters"}},
	{"inbox", []string{"Kunden – Aufträge (alt)"}},
	{"inbox", []string{"会議 議事録"}},
	{"inbox", []string{"Receipts and expense reports for the annual budget planning cycle including travel, hardware and training"}},
	{"archive", []string{"2023"}},
	{"archive", []string{"2023", "Q4"}},
	{"archive", []string{".hidden-looking"}},
}

// subjects start mail threads; %s is filled with a project name.
var subjects = []string{
	"Budget review for %s",
	"Status update: %s",
	"Réunion d'équipe – ordre du jour %s",
	"Quick question about %s",
	"Invoice INV-%s",
	"会議の議事録 (%s)",
	"Отчёт за квартал: %s",
	"Reminder: timesheets due",
	"Welcome aboard!",
	"Offsite planning %s 🏔️",
	"Contract draft v3 – %s",
	"Ünvan değişikliği / address change",
	"FYI: security awareness training",
	"Lunch on Friday?",
	"Customer escalation: %s",
}

var projects = []string{
	"Phoenix", "Atlas", "Nordlicht", "Q3", "FY25", "Ωmega", "Blue Harbor", "Kestrel", "Zenith", "Dragonfly",
}

var categories = []string{
	"Red category", "Blue category", "Green category", "Follow up", "Project Phoenix", "Kunden (wichtig)", "財務",
}

// words feed generated bodies; a few non-English words keep charsets honest.
var words = []string{
	"the", "project", "update", "please", "review", "attached", "budget", "meeting", "team", "customer",
	"deadline", "next", "week", "we", "should", "discuss", "numbers", "forecast", "draft", "contract",
	"thanks", "for", "your", "help", "with", "this", "and", "the", "plan", "is", "on", "track", "risk",
	"quarter", "approval", "schedule", "résumé", "naïve", "Grüße", "données", "straße", "café", "ok",
	"delivery", "invoice", "status", "slides", "agenda", "notes", "follow-up", "owner", "action", "items",
}
