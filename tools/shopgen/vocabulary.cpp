#include "vocabulary.h"

#include <array>
#include <stdexcept>
#include <string>

namespace shopgen {
namespace {

using sv = std::string_view;

// The tables below are laid out by hand.
// clang-format off

// ---------------------------------------------------------------- Ireland
constexpr Name kIeFirst[] = {
    {"Aoife", "aoife"}, {"Ciarán", "ciaran"}, {"Siobhán", "siobhan"}, {"Seán", "sean"},
    {"Niamh", "niamh"}, {"Conor", "conor"}, {"Saoirse", "saoirse"}, {"Darragh", "darragh"},
    {"Róisín", "roisin"}, {"Patrick", "patrick"}, {"Emma", "emma"}, {"Oisín", "oisin"},
};
constexpr Name kIeLast[] = {
    {"Murphy", "murphy"}, {"O'Brien", "obrien"}, {"Kelly", "kelly"}, {"Byrne", "byrne"},
    {"Ó Súilleabháin", "osuilleabhain"}, {"Walsh", "walsh"}, {"McCarthy", "mccarthy"},
    {"Doyle", "doyle"}, {"O'Connor", "oconnor"}, {"Nic Giolla Phádraig", "nicgiollaphadraig"},
    {"Ryan", "ryan"}, {"Fitzgerald", "fitzgerald"},
};
constexpr City kIeCities[] = {
    {"Dublin", "D0# @#@#"}, {"Dublin", "D1# @@##"}, {"Cork", "T12 @#@#"},
    {"Galway", "H91 @@#@"}, {"Limerick", "V94 @#@@"}, {"Waterford", "X91 #@@#"},
};
constexpr sv kIeStreets[] = {
    "{n} Thimble Lane", "{n} Bobbin Road", "{n} Selvedge Street", "{n} Buttonhole Avenue",
    "{n} Tweed Terrace", "{n} Pinking Close", "{n} Lapel Park",
};
constexpr sv kEnLine2[] = {"Apartment {n}", "Flat {n}", "Unit {n}", "Apt {n}B", "The Mews"};
constexpr sv kIeCarriers[] = {"An Post", "DPD"};

// ---------------------------------------------------------------- Germany
constexpr Name kDeFirst[] = {
    {"Lukas", "lukas"}, {"Jürgen", "juergen"}, {"Anna", "anna"}, {"Sophie", "sophie"},
    {"Maximilian", "maximilian"}, {"Jörg", "joerg"}, {"Lena", "lena"}, {"Felix", "felix"},
    {"Käthe", "kaethe"}, {"Jonas", "jonas"}, {"Marie", "marie"}, {"Elias", "elias"},
};
constexpr Name kDeLast[] = {
    {"Müller", "mueller"}, {"Schmidt", "schmidt"}, {"Schneider", "schneider"},
    {"Fischer", "fischer"}, {"Weiß", "weiss"}, {"Schäfer", "schaefer"}, {"Becker", "becker"},
    {"Hoffmann", "hoffmann"}, {"Groß", "gross"}, {"Wagner", "wagner"},
    {"Meyer-Lindqvist", "meyer-lindqvist"}, {"Krüger", "krueger"},
};
constexpr City kDeCities[] = {
    {"Berlin", "1####"}, {"Hamburg", "2####"}, {"München", "8####"}, {"Köln", "5####"},
    {"Frankfurt am Main", "60###"}, {"Leipzig", "04###"},
};
constexpr sv kDeStreets[] = {
    "Fingerhutweg {n}", "Nadelstraße {n}", "Zwirngasse {n}", "Knopflochallee {n}",
    "Schneiderbogen {n}", "Saumstraße {n}", "Am Maßband {n}",
};
constexpr sv kDeLine2[] = {"{n}. OG", "Hinterhaus", "Aufgang {n}", "c/o Atelier Faden"};
constexpr sv kDeCarriers[] = {"DHL", "DPD", "Hermes"};

// ---------------------------------------------------------------- France
constexpr Name kFrFirst[] = {
    {"Camille", "camille"}, {"Léa", "lea"}, {"François", "francois"}, {"Hélène", "helene"},
    {"Louis", "louis"}, {"Chloé", "chloe"}, {"Théo", "theo"}, {"Manon", "manon"},
    {"Jean-Luc", "jean-luc"}, {"Inès", "ines"}, {"Hugo", "hugo"}, {"Zoé", "zoe"},
};
constexpr Name kFrLast[] = {
    {"Martin", "martin"}, {"Bernard", "bernard"}, {"Dubois", "dubois"}, {"Lefèvre", "lefevre"},
    {"Moreau", "moreau"}, {"Laurent", "laurent"}, {"Girard", "girard"}, {"Rousseau", "rousseau"},
    {"de la Fontaine", "delafontaine"}, {"Mercier", "mercier"}, {"Fournier", "fournier"},
    {"Gauthier", "gauthier"},
};
constexpr City kFrCities[] = {
    {"Paris", "750##"}, {"Lyon", "6900#"}, {"Marseille", "130##"}, {"Toulouse", "310##"},
    {"Bordeaux", "330##"}, {"Lille", "590##"},
};
constexpr sv kFrStreets[] = {
    "{n} rue du Dé à Coudre", "{n} rue de l'Aiguille", "{n} avenue des Boutons",
    "{n} rue du Galon", "{n} impasse de la Bobine", "{n} boulevard du Patron",
};
constexpr sv kFrLine2[] = {"Bât. {n}", "{n}e étage", "Appartement {n}", "Escalier B"};
constexpr sv kFrCarriers[] = {"La Poste", "UPS"};

// ---------------------------------------------------------------- Spain
constexpr Name kEsFirst[] = {
    {"José", "jose"}, {"María", "maria"}, {"Lucía", "lucia"}, {"Javier", "javier"},
    {"Martina", "martina"}, {"Álvaro", "alvaro"}, {"Carmen", "carmen"}, {"Iñaki", "inaki"},
    {"Sofía", "sofia"}, {"Pablo", "pablo"},
};
constexpr Name kEsLast[] = {
    {"García", "garcia"}, {"Fernández", "fernandez"}, {"González", "gonzalez"},
    {"Rodríguez", "rodriguez"}, {"López Martínez", "lopezmartinez"}, {"Sánchez", "sanchez"},
    {"Pérez", "perez"}, {"Muñoz", "munoz"}, {"Ruiz", "ruiz"}, {"Navarro", "navarro"},
};
constexpr City kEsCities[] = {
    {"Madrid", "280##"}, {"Barcelona", "080##"}, {"Valencia", "460##"}, {"Sevilla", "410##"},
    {"Bilbao", "480##"},
};
constexpr sv kEsStreets[] = {
    "Calle del Dedal {n}", "Calle de la Aguja {n}", "Avenida del Sastre {n}",
    "Plaza del Botón {n}", "Calle del Hilván {n}",
};
constexpr sv kEsLine2[] = {"{n}º izq.", "{n}º dcha.", "Bajo", "Escalera {n}"};
constexpr sv kEsCarriers[] = {"Correos", "SEUR"};

// ---------------------------------------------------------------- Italy
constexpr Name kItFirst[] = {
    {"Giulia", "giulia"}, {"Francesco", "francesco"}, {"Nicolò", "nicolo"}, {"Chiara", "chiara"},
    {"Alessandro", "alessandro"}, {"Sofia", "sofia"}, {"Lorenzo", "lorenzo"}, {"Aurora", "aurora"},
    {"Mattia", "mattia"}, {"Beatrice", "beatrice"},
};
constexpr Name kItLast[] = {
    {"Rossi", "rossi"}, {"Russo", "russo"}, {"Ferrari", "ferrari"}, {"Esposito", "esposito"},
    {"Bianchi", "bianchi"}, {"Romano", "romano"}, {"Colombo", "colombo"}, {"D'Angelo", "dangelo"},
    {"Ricci", "ricci"}, {"De Luca", "deluca"},
};
constexpr City kItCities[] = {
    {"Roma", "001##"}, {"Milano", "201##"}, {"Napoli", "801##"}, {"Torino", "101##"},
    {"Firenze", "501##"},
};
constexpr sv kItStreets[] = {
    "Via dell'Ago {n}", "Via del Ditale {n}", "Corso dei Sarti {n}", "Piazza del Bottone {n}",
    "Vicolo della Spoletta {n}",
};
constexpr sv kItLine2[] = {"Scala {n}", "Interno {n}", "Piano {n}"};
constexpr sv kItCarriers[] = {"Poste Italiane", "BRT"};

// ---------------------------------------------------------------- Netherlands
constexpr Name kNlFirst[] = {
    {"Daan", "daan"}, {"Sanne", "sanne"}, {"Bram", "bram"}, {"Anouk", "anouk"},
    {"Sem", "sem"}, {"Fleur", "fleur"}, {"Joëlle", "joelle"}, {"Thijs", "thijs"},
};
constexpr Name kNlLast[] = {
    {"de Jong", "dejong"}, {"Jansen", "jansen"}, {"de Vries", "devries"},
    {"van den Berg", "vandenberg"}, {"van Dijk", "vandijk"}, {"Bakker", "bakker"},
    {"Visser", "visser"}, {"Smit", "smit"},
};
constexpr City kNlCities[] = {
    {"Amsterdam", "10## @@"}, {"Rotterdam", "30## @@"}, {"Utrecht", "35## @@"},
    {"Den Haag", "25## @@"},
};
constexpr sv kNlStreets[] = {
    "Naaldstraat {n}", "Vingerhoedlaan {n}", "Kleermakersgracht {n}", "Knoopsgat {n}",
    "Garenplein {n}",
};
constexpr sv kNlLine2[] = {"{n}-hoog", "Huis {n}", "bis"};
constexpr sv kNlCarriers[] = {"PostNL", "DHL"};

// ---------------------------------------------------------------- Poland
constexpr Name kPlFirst[] = {
    {"Łukasz", "lukasz"}, {"Zofia", "zofia"}, {"Wojciech", "wojciech"}, {"Małgorzata", "malgorzata"},
    {"Jakub", "jakub"}, {"Agnieszka", "agnieszka"}, {"Paweł", "pawel"}, {"Zuzanna", "zuzanna"},
};
constexpr Name kPlLast[] = {
    {"Nowak", "nowak"}, {"Kowalski", "kowalski"}, {"Wiśniewska", "wisniewska"},
    {"Wójcik", "wojcik"}, {"Kamiński", "kaminski"}, {"Lewandowska", "lewandowska"},
    {"Zieliński", "zielinski"}, {"Szymańska", "szymanska"},
};
constexpr City kPlCities[] = {
    {"Warszawa", "0#-###"}, {"Kraków", "3#-###"}, {"Gdańsk", "80-###"}, {"Wrocław", "5#-###"},
};
constexpr sv kPlStreets[] = {
    "ul. Igielna {n}", "ul. Naparstkowa {n}", "ul. Krawiecka {n}", "al. Guzikowa {n}",
    "ul. Nićmi Szyta {n}",
};
constexpr sv kPlLine2[] = {"m. {n}", "lok. {n}"};
constexpr sv kPlCarriers[] = {"InPost", "DPD"};

// ---------------------------------------------------------------- Sweden
constexpr Name kSeFirst[] = {
    {"Björn", "bjorn"}, {"Åsa", "asa"}, {"Linnéa", "linnea"}, {"Oskar", "oskar"},
    {"Märta", "marta"}, {"Erik", "erik"}, {"Ebba", "ebba"}, {"Måns", "mans"},
};
constexpr Name kSeLast[] = {
    {"Andersson", "andersson"}, {"Johansson", "johansson"}, {"Karlsson", "karlsson"},
    {"Nilsson", "nilsson"}, {"Lindström", "lindstrom"}, {"Öberg", "oberg"},
    {"Åkesson", "akesson"}, {"Berg", "berg"},
};
constexpr City kSeCities[] = {
    {"Stockholm", "1## ##"}, {"Göteborg", "4## ##"}, {"Malmö", "2## ##"}, {"Uppsala", "75# ##"},
};
constexpr sv kSeStreets[] = {
    "Nålgatan {n}", "Fingerborgsvägen {n}", "Skräddargränd {n}", "Knappstigen {n}",
    "Trådbacken {n}",
};
constexpr sv kSeLine2[] = {"lgh 1{n}02", "c/o Sömnad AB"};
constexpr sv kSeCarriers[] = {"PostNord", "DHL"};

// ---------------------------------------------------------------- United States
constexpr Name kUsFirst[] = {
    {"James", "james"}, {"Olivia", "olivia"}, {"Michael", "michael"}, {"Ava", "ava"},
    {"DeShawn", "deshawn"}, {"Emily", "emily"}, {"Daniel", "daniel"}, {"Madison", "madison"},
    {"Mateo", "mateo"}, {"Harper", "harper"}, {"Ethan", "ethan"}, {"Chloe", "chloe"},
};
constexpr Name kUsLast[] = {
    {"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
    {"Jones", "jones"}, {"Nguyen", "nguyen"}, {"Rodriguez", "rodriguez"}, {"Miller", "miller"},
    {"Davis", "davis"}, {"Kim", "kim"}, {"O'Neill", "oneill"}, {"Washington", "washington"},
};
constexpr City kUsCities[] = {
    {"New York, NY", "100##"}, {"Chicago, IL", "606##"}, {"San Francisco, CA", "941##"},
    {"Austin, TX", "787##"}, {"Seattle, WA", "981##"}, {"Boston, MA", "021##"},
};
constexpr sv kUsStreets[] = {
    "{n} Bobbin Street", "{n} Gusset Avenue", "{n} Seam Ripper Road", "{n} Herringbone Blvd",
    "{n} Pinstripe Drive", "{n} Tailor's Way",
};
constexpr sv kUsCarriers[] = {"USPS", "UPS", "FedEx"};

// ---------------------------------------------------------------- China
constexpr Name kCnFirst[] = {
    {"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"磊", "lei"},
    {"晓明", "xiaoming"}, {"婷婷", "tingting"}, {"俊杰", "junjie"}, {"秀英", "xiuying"},
};
constexpr Name kCnLast[] = {
    {"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
    {"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"欧阳", "ouyang"}, {"周", "zhou"},
};
constexpr City kCnCities[] = {
    {"北京", "100###"}, {"上海", "200###"}, {"广州", "510###"}, {"深圳", "518###"},
    {"成都", "610###"},
};
constexpr sv kCnStreets[] = {
    "针线路{n}号", "裁缝街{n}号", "纽扣巷{n}号", "顶针大道{n}号", "丝绸路{n}号",
};
constexpr sv kCnLine2[] = {"{n}单元501室", "{n}号楼", "B座{n}层"};
constexpr sv kCnCarriers[] = {"SF Express", "China Post"};

// ---------------------------------------------------------------- Vietnam
// First names hold the middle name too ("Thị Minh Khai"), as Vietnamese
// customers fill in a first-name field; the family name comes first on a parcel.
constexpr Name kVnFirst[] = {
    {"Thị Minh Khai", "thiminhkhai"}, {"Văn Hùng", "vanhung"}, {"Thị Lan", "thilan"},
    {"Đức Anh", "ducanh"}, {"Thu Hương", "thuhuong"}, {"Quốc Bảo", "quocbao"},
    {"Ngọc Ánh", "ngocanh"}, {"Minh Tuấn", "minhtuan"}, {"Thị Thủy", "thithuy"},
    {"Hoàng Long", "hoanglong"},
};
constexpr Name kVnLast[] = {
    {"Nguyễn", "nguyen"}, {"Trần", "tran"}, {"Lê", "le"}, {"Phạm", "pham"}, {"Hoàng", "hoang"},
    {"Huỳnh", "huynh"}, {"Phan", "phan"}, {"Vũ", "vu"}, {"Võ", "vo"}, {"Đặng", "dang"},
    {"Bùi", "bui"}, {"Đỗ", "do"},
};
constexpr City kVnCities[] = {
    {"Hà Nội", "10###"}, {"Hà Nội", "11###"}, {"Thành phố Hồ Chí Minh", "70###"},
    {"Thành phố Hồ Chí Minh", "72###"}, {"Đà Nẵng", "50###"}, {"Hải Phòng", "18###"},
    {"Huế", "49###"},
};
constexpr sv kVnStreets[] = {
    "{n} Phố Thợ May", "{n} Đường Kim Chỉ", "{n} Ngõ Cúc Áo", "{n} Đường Thước Dây",
    "{n} Phố Hàng Lụa",
};
constexpr sv kVnLine2[] = {"Căn hộ {n}", "Tầng {n}", "Ngách {n}"};
constexpr sv kVnCarriers[] = {"Vietnam Post", "DHL"};

constexpr sv kUpperLetters = "ABCDEFGHJKLMNPRSTVWXYZ";
constexpr sv kEircodeLetters = "ACDEFHKNPRTVWXY";

constexpr NameOrder kGivenFirst = NameOrder::given_family;
constexpr NameOrder kFamilyFirst = NameOrder::family_given;
constexpr NameOrder kFamilyJoined = NameOrder::family_given_joined;

// Phone prefixes are chosen so that seven more digits give a plausible
// mobile number; the US one is in the fictional 555 area.
const Country kCountries[] = {
    {"IE", 10, "EUR", 100, "en", "+35387", kGivenFirst, kEircodeLetters, kIeFirst, kIeLast, kIeCities,
     kIeStreets, kEnLine2, kIeCarriers},
    {"DE", 16, "EUR", 100, "de", "+491514", kGivenFirst, kUpperLetters, kDeFirst, kDeLast, kDeCities,
     kDeStreets, kDeLine2, kDeCarriers},
    {"FR", 13, "EUR", 100, "fr", "+3361", kGivenFirst, kUpperLetters, kFrFirst, kFrLast, kFrCities,
     kFrStreets, kFrLine2, kFrCarriers},
    {"ES", 8, "EUR", 100, "es", "+3461", kGivenFirst, kUpperLetters, kEsFirst, kEsLast, kEsCities,
     kEsStreets, kEsLine2, kEsCarriers},
    {"IT", 8, "EUR", 100, "it", "+39347", kGivenFirst, kUpperLetters, kItFirst, kItLast, kItCities,
     kItStreets, kItLine2, kItCarriers},
    {"NL", 7, "EUR", 100, "nl", "+3161", kGivenFirst, kUpperLetters, kNlFirst, kNlLast, kNlCities,
     kNlStreets, kNlLine2, kNlCarriers},
    {"PL", 5, "PLN", 432, "pl", "+4860", kGivenFirst, kUpperLetters, kPlFirst, kPlLast, kPlCities,
     kPlStreets, kPlLine2, kPlCarriers},
    {"SE", 4, "SEK", 1145, "sv", "+4670", kGivenFirst, kUpperLetters, kSeFirst, kSeLast, kSeCities,
     kSeStreets, kSeLine2, kSeCarriers},
    {"US", 19, "USD", 108, "en", "+1555", kGivenFirst, kUpperLetters, kUsFirst, kUsLast, kUsCities,
     kUsStreets, kEnLine2, kUsCarriers},
    {"CN", 10, "CNY", 780, "zh", "+861380", kFamilyJoined, kUpperLetters, kCnFirst, kCnLast, kCnCities,
     kCnStreets, kCnLine2, kCnCarriers},
    // Charged in US dollars: the shop keeps no price list in dong.
    {"VN", 3, "USD", 108, "vi", "+8490", kFamilyFirst, kUpperLetters, kVnFirst, kVnLast, kVnCities,
     kVnStreets, kVnLine2, kVnCarriers},
};

const Carrier kCarriers[] = {
    {"An Post", 'U', 0}, {"DPD", 'D', 14},       {"DHL", 'D', 10},
    {"Hermes", 'D', 16}, {"La Poste", 'U', 0},   {"UPS", 'Z', 0},
    {"Correos", 'U', 0}, {"SEUR", 'D', 12},      {"Poste Italiane", 'U', 0},
    {"BRT", 'D', 15},    {"PostNL", 'U', 0},     {"InPost", 'D', 24},
    {"PostNord", 'U', 0}, {"USPS", 'D', 22},     {"FedEx", 'D', 12},
    {"SF Express", 'D', 12}, {"China Post", 'U', 0}, {"Vietnam Post", 'U', 0},
};

// ---------------------------------------------------------------- catalogue
constexpr sv kSuitCuts[] = {"Two-Piece Suit", "Three-Piece Suit", "Double-Breasted Suit",
                            "Slim-Fit Suit", "Wedding Suit"};
constexpr sv kJacketCuts[] = {"Blazer", "Sport Coat", "Dinner Jacket", "Unstructured Jacket"};
constexpr sv kTrouserCuts[] = {"Flat-Front Trousers", "Pleated Trousers", "Chinos",
                               "Tapered Trousers"};
constexpr sv kShirtCuts[] = {"Dress Shirt", "Oxford Shirt", "Button-Down Shirt",
                             "Cutaway Collar Shirt", "Tuxedo Shirt"};
constexpr sv kWaistcoatCuts[] = {"Waistcoat", "Double-Breasted Waistcoat"};
constexpr sv kOvercoatCuts[] = {"Overcoat", "Chesterfield Coat", "Trench Coat", "Car Coat"};
constexpr sv kDressCuts[] = {"Sheath Dress", "Wrap Dress", "Shirt Dress"};
constexpr sv kSkirtCuts[] = {"Pencil Skirt", "A-Line Skirt", "Pleated Skirt"};
constexpr sv kAccessoryCuts[] = {"Tie", "Bow Tie", "Pocket Square", "Scarf"};

const Category kCategories[] = {
    {"suits", "SUI", 60, 690, true, kSuitCuts},
    {"jackets", "JKT", 35, 420, true, kJacketCuts},
    {"trousers", "TRS", 40, 160, true, kTrouserCuts},
    {"shirts", "SHT", 70, 89, true, kShirtCuts},
    {"waistcoats", "WST", 20, 140, true, kWaistcoatCuts},
    {"overcoats", "OVC", 20, 620, true, kOvercoatCuts},
    {"dresses", "DRS", 20, 280, true, kDressCuts},
    {"skirts", "SKT", 15, 140, true, kSkirtCuts},
    {"accessories", "ACC", 30, 39, false, kAccessoryCuts},
};

constexpr Fabric kFabrics[] = {
    {"Wool", 0},        {"Flannel", 40},    {"Tweed", 60},   {"Linen", 20},
    {"Cotton", 0},      {"Cashmere", 260},  {"Mohair", 150}, {"Seersucker", 30},
    {"Super 120s Wool", 120}, {"Corduroy", 10}, {"Silk", 90},
};

constexpr sv kColours[] = {"Navy", "Charcoal", "Mid-Grey", "Black", "Olive", "Burgundy",
                           "Sand", "Bottle Green", "Ivory", "Sky Blue", "Brown", "Teal",
                           "Camel"};

constexpr sv kDomains[] = {"example.com", "example.org", "example.net", "mail.example.com",
                           "post.example.org"};

constexpr sv kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/118.0.0.0 Safari/537.36 Edg/118.0.2088.46",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/49.0.2623.112 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.42",
};

// ---------------------------------------------------------------- free text
constexpr sv kReturnReasons[] = {
    "Sleeves are about {sleeve_delta} cm too long.",
    "Too tight across the chest - I measure {chest} cm, not what the fitting said.",
    "Trousers too short, my inseam is {inseam} cm.",
    "Colour is different from the photo on the website.",
    "Changed my mind, sorry.",
    "Ordered the wrong size.",
    "Arrived after the wedding, no longer needed.",
    "Fabric pilled after the first wear.",
    "Waist too loose ({waist} cm), please remake or refund.",
    "It was a gift and it did not fit.",
    "Stitching on the left cuff is coming undone.",
    "Parcel arrived damaged.",
};

constexpr TicketTemplate kTickets[] = {
    {TicketTemplate::Needs::order, "Where is my order #{order}?",
     "Hi, I placed order #{order} on {order_date} and it still has not arrived. Could you "
     "check with the courier? Thanks, {first}"},
    {TicketTemplate::Needs::order, "Alteration for order #{order}",
     "The jacket from order #{order} is a little loose. My chest is {chest} cm and my waist "
     "{waist} cm - can it be taken in?"},
    {TicketTemplate::Needs::measurements, "Updated measurements",
     "Please use my new measurements for the next suit: chest {chest} cm, waist {waist} cm, "
     "inseam {inseam} cm, height {height} cm."},
    {TicketTemplate::Needs::order, "Change delivery address",
     "Could you send order #{order} to {line1}, {city} instead? I moved last week."},
    {TicketTemplate::Needs::phone, "Please call me",
     "Could somebody call me on {phone} about a fitting appointment? Afternoons are best. "
     "{first} {last}"},
    {TicketTemplate::Needs::nothing, "Delete my account",
     "Please delete my account and everything you hold about me. Regards, {first} {last}"},
    {TicketTemplate::Needs::order, "VAT invoice for order #{order}",
     "I need a VAT invoice for order #{order} for my employer's expenses."},
    {TicketTemplate::Needs::nothing, "Fabric question",
     "Is the {product} available in a heavier cloth for winter?"},
    {TicketTemplate::Needs::nothing, "Stop the newsletter",
     "I keep getting your newsletter at {email}, please stop sending it."},
    {TicketTemplate::Needs::nothing, "Gift voucher",
     "Can I buy a gift voucher for my partner? I am {first}, customer since {since}."},
    {TicketTemplate::Needs::order, "Wrong item in order #{order}",
     "I received a {product} in order #{order} but it is not what I ordered."},
    {TicketTemplate::Needs::measurements, "Fitting appointment",
     "At my last fitting you noted a {neck} cm neck and {sleeve} cm sleeve. The shirts feel "
     "tight at the collar, can we re-measure?"},
};

// clang-format on

}  // namespace

std::span<const Country> countries() { return kCountries; }

const Carrier& carrier(std::string_view name) {
    for (const Carrier& c : kCarriers)
        if (c.name == name) return c;
    throw std::logic_error("unknown carrier " + std::string(name));
}

std::span<const Category> categories() { return kCategories; }
std::span<const Fabric> fabrics() { return kFabrics; }
std::span<const std::string_view> colours() { return kColours; }
std::span<const std::string_view> email_domains() { return kDomains; }
std::span<const std::string_view> user_agents() { return kUserAgents; }
std::span<const std::string_view> return_reasons() { return kReturnReasons; }
std::span<const TicketTemplate> ticket_templates() { return kTickets; }

}  // namespace shopgen
