#include "generator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "civil_time.h"
#include "people.h"
#include "random.h"
#include "text.h"
#include "vocabulary.h"

namespace shopgen {
namespace {

// Labels of the independent random streams (see stream_seed).
enum Stream : std::uint64_t {
    kStreamProducts = 1,
    kStreamCustomer = 2,
    kStreamGuest = 3,
    kStreamNewsletterReader = 4,
    kStreamHeavySubject = 5,
};

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kWindowDays = 4383;  // twelve years

struct Product {
    Id id;
    const Category* category;
    std::int64_t price_eur_cents;
    std::string name;
};

// What later rows (tickets, loyalty) need to know about an order.
struct OrderInfo {
    Id id;
    std::int64_t placed;
    Id product_id;
};

struct Loyalty {
    std::int64_t balance = 0;
};

struct Buyer {
    std::optional<Id> customer_id;
    const Person* person;
    bool has_measurements;
    Loyalty* loyalty;  // nullptr: guests and customers outside the programme
};

// A guest is identified only by e-mail; this is what is remembered about
// one so that repeat guests and their tickets stay consistent.
struct GuestMemory {
    std::optional<OrderInfo> last_order;
};

// The previous customer, kept so that the next one can join the household
// (same phone, surname and home): the "ambiguous subject" case.
struct HouseholdCandidate {
    std::string phone;
    Name last;
    Place home;
};

std::uint64_t isqrt(std::uint64_t x) {
    // The correction loops make the result exact whatever sqrt rounds to.
    auto r = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(x)));
    while (r * r > x) --r;
    while ((r + 1) * (r + 1) <= x) ++r;
    return r;
}

class Generator {
public:
    Generator(const GeneratorOptions& o, ShopWriter& w, GroundTruth* truth)
        : opt_(o), w_(w), truth_(truth), now_(o.now), start_(o.now - kWindowDays * kDay) {}

    void run(const ProgressFn& progress) {
        write_products();
        const std::int64_t step = std::max<std::int64_t>(1, opt_.customers / 200);
        for (Id i = 1; i <= opt_.customers; ++i) {
            Rng rng(stream_seed(opt_.seed, kStreamCustomer, static_cast<std::uint64_t>(i)));
            // Everything write_customer writes is the customer's, and nothing
            // of theirs is written anywhere else: strangers have e-mail
            // addresses of their own (see make_email).
            recording_ = truth_ ? truth_->find(i) : nullptr;
            write_customer(rng, i);
            recording_ = nullptr;
            write_strangers(rng);
            if (progress && (i % step == 0 || i == opt_.customers)) progress(i, opt_.customers);
        }
        if (const Id heavy = heavy_subject_id(opt_)) {
            recording_ = truth_ ? truth_->find(heavy) : nullptr;
            write_heavy_subject(heavy);
            recording_ = nullptr;
        }
    }

private:
    // Every personal row goes through here. Noting a key draws nothing from
    // the random streams, so the shop is the same with or without a ground truth.
    template <typename Row>
    void put(const Row& row) {
        w_.insert(row);
        ++rows_put_;
        if (recording_) recording_->add(table_of(row), row.id);
    }

    // ------------------------------------------------------------ catalogue

    // The catalogue does not depend on --seed, so policies and examples can
    // name products by SKU.
    void write_products() {
        Id id = 1;
        const auto cats = categories();
        for (std::size_t ci = 0; ci < cats.size(); ++ci) {
            const Category& cat = cats[ci];
            Rng rng(stream_seed(0, kStreamProducts, ci));
            for (unsigned j = 0; j < cat.count; ++j) {
                const std::string_view colour = rng.pick(colours());
                const Fabric& fabric = rng.pick(fabrics());
                const std::string_view cut = cat.cuts[j % cat.cuts.size()];
                const auto extra = static_cast<std::int64_t>(rng.below(8)) * 10;
                Product p{id, &cat,
                          (static_cast<std::int64_t>(cat.base_price_eur + fabric.premium_eur) + extra) * 100,
                          std::string(colour) + " " + std::string(fabric.name) + " " + std::string(cut)};
                w_.insert(ProductRow{p.id, std::string(cat.sku_prefix) + "-" + digits(j + 1, 4), p.name,
                                     std::string(cat.name), p.price_eur_cents});
                products_.push_back(std::move(p));
                ++id;
            }
        }
    }

    // ------------------------------------------------------------ time

    std::int64_t clamp_past(std::int64_t t) const { return std::min(t, now_ - 1); }

    // Instant in [from + min_delay, from + max_delay), cut short at now, so
    // that follow-up events of recent activity spread out instead of piling
    // up on the last second before now.
    std::int64_t soon_after(Rng& rng, std::int64_t from, std::int64_t min_delay,
                            std::int64_t max_delay) const {
        const std::int64_t lo = from + min_delay;
        if (lo >= now_) return after(rng, from);
        const std::int64_t span = std::min(max_delay - min_delay, now_ - lo);
        return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(span)));
    }

    // Uniform instant in [from, now).
    std::int64_t after(Rng& rng, std::int64_t from) const {
        from = std::max(from, start_);
        if (from >= now_) return now_ - 1;
        return from + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(now_ - from)));
    }

    // Sign-ups follow a growing shop: the density of created_at rises
    // linearly over the window (cumulative share u = (x + x^2) / 2), and ids
    // stay in sign-up order because each id gets its own slice of u.
    std::int64_t signup_time(Rng& rng, Id i) const {
        constexpr std::uint64_t kScale = 1ULL << 24;
        const auto n = static_cast<std::uint64_t>(opt_.customers);
        const std::uint64_t u = (static_cast<std::uint64_t>(i - 1) * kScale + rng.below(kScale)) / n;
        const std::uint64_t x = (isqrt(kScale * kScale + 8 * u * kScale) - kScale) / 2;
        const auto window = static_cast<std::uint64_t>(now_ - start_);
        return start_ + static_cast<std::int64_t>(window * x / kScale);
    }

    // ------------------------------------------------------------ customers

    void write_customer(Rng& rng, Id id) {
        // Customer 2 always joins customer 1's household so that even tiny
        // shops contain a shared phone number.
        const bool join = household_ && (id == 2 || rng.chance(1, 280));
        Person p;
        p.canary = opt_.canary;
        std::optional<std::string> phone;
        if (join) {
            p.country = household_->home.country;
            p.first = pick_first_name(rng, *p.country);
            p.last = household_->last;
            p.home = household_->home;
            phone = household_->phone;
            household_.reset();
        } else {
            p.country = &pick_country(rng);
            p.first = pick_first_name(rng, *p.country);
            p.last = pick_last_name(rng, *p.country);
            p.home = make_place(rng, *p.country, opt_.canary);
            if (id == 1 || rng.chance(7, 10)) phone = phone_number(*p.country, id, opt_.seed);
        }
        p.email = make_email(rng, p.first, p.last, std::to_string(id), opt_.canary);
        if (recording_) recording_->email = p.email;
        p.cards.push_back(make_card(rng));
        if (rng.chance(3, 10)) p.cards.push_back(make_card(rng));

        const std::int64_t created = signup_time(rng, id);
        std::optional<std::string> birth_date;
        if (rng.chance(6, 10)) {
            // Adults when they signed up.
            const std::int64_t age_days = rng.between(18 * 365 + 5, 75 * 365);
            birth_date = iso_date(created - age_days * kDay);
        }
        const bool opt_in = rng.chance(35, 100);
        std::optional<std::string> language;
        if (rng.chance(9, 10)) language = std::string(rng.chance(1, 20) ? "en" : p.country->language);

        // Order times come first: the last login can be no earlier than them.
        std::vector<std::int64_t> order_times(order_count(rng));
        for (auto& t : order_times) t = after(rng, created + 60);
        std::sort(order_times.begin(), order_times.end());
        std::optional<std::int64_t> last_login;
        if (!order_times.empty() || rng.chance(88, 100)) {
            std::int64_t t = after(rng, created);
            if (!order_times.empty()) t = std::max(t, clamp_past(order_times.back() + 120));
            last_login = t;
        }

        put(CustomerRow{id, p.email, p.first_name(), p.last_name(), phone, birth_date, iso_timestamp(created),
                        last_login ? std::optional(iso_timestamp(*last_login)) : std::nullopt, opt_in ? 1 : 0,
                        language});
        if (!join && phone) household_ = HouseholdCandidate{*phone, p.last, p.home};

        write_addresses(rng, id, p, created);
        const std::optional<Body> body = write_measurements(rng, id, created);

        // The guest checkout of someone who registered later, under the same
        // e-mail address. Forced once (mid-window) so small shops have one.
        const bool mid = opt_.customers >= 3 && id == (opt_.customers + 1) / 2;
        if ((rng.chance(1, 100) || mid) && created - start_ > 2 * kDay) {
            const std::int64_t back =
                1 + static_cast<std::int64_t>(
                        rng.below(static_cast<std::uint64_t>(std::min(365 * kDay, created - start_ - kDay))));
            place_order(rng, Buyer{std::nullopt, &p, body.has_value(), nullptr}, created - back);
        }

        Loyalty loyalty;
        const bool member = rng.chance(45, 100);
        if (member && rng.chance(6, 10)) ledger(id, std::nullopt, 100, "signup_bonus", created, loyalty);
        std::vector<OrderInfo> orders;
        for (std::int64_t t : order_times)
            orders.push_back(
                place_order(rng, Buyer{id, &p, body.has_value(), member ? &loyalty : nullptr}, t));
        if (member && loyalty.balance >= 1000 && rng.chance(1, 5)) {
            const std::int64_t from = orders.empty() ? created : orders.back().placed;
            ledger(id, std::nullopt, -1000, "voucher", after(rng, from), loyalty);
        }

        write_tickets(rng, id, p, phone, body, orders, created);
        write_newsletter(rng, id, p.email, opt_in, created);
        write_sessions(rng, id, created, last_login);
    }

    static std::size_t order_count(Rng& rng) {
        switch (rng.weighted(std::array<unsigned, 6>{30, 32, 17, 9, 5, 7})) {
            case 0: return 0;
            case 1: return 1;
            case 2: return 2;
            case 3: return 3;
            case 4: return 4;
            default: return static_cast<std::size_t>(rng.between(5, 10));
        }
    }

    void write_addresses(Rng& rng, Id customer_id, const Person& p, std::int64_t created) {
        const auto store = [&](const char* kind, const Place& place, std::int64_t at) {
            put(AddressRow{next_.address++, customer_id, kind, p.full_name(), place.line1, place.line2,
                           place.city, place.postcode, std::string(place.country->code), iso_timestamp(at)});
        };
        store("shipping", p.home, created);
        if (rng.chance(3, 10)) {
            const Place billing = make_place(rng, *p.country, opt_.canary);
            store("billing", billing, after(rng, created));
        }
    }

    std::optional<Body> write_measurements(Rng& rng, Id customer_id, std::int64_t created) {
        if (!rng.chance(3, 10)) return std::nullopt;
        Body body = make_body(rng);
        std::int64_t at = soon_after(rng, created, 0, 60 * kDay);
        const std::size_t sessions = 1 + rng.weighted(std::array<unsigned, 3>{75, 20, 5});
        for (std::size_t s = 0; s < sessions; ++s) {
            if (s > 0) {
                body = remeasure(rng, body);
                at = after(rng, at + kDay);
            }
            const auto cm = [](const std::optional<int>& halves) -> std::optional<double> {
                if (!halves) return std::nullopt;
                return *halves / 2.0;
            };
            put(BodyMeasurementRow{next_.measurement++, customer_id, cm(body.chest), cm(body.waist),
                                   cm(body.hips), cm(body.height), cm(body.inseam), cm(body.sleeve),
                                   cm(body.neck), iso_timestamp(at)});
        }
        return body;
    }

    // ------------------------------------------------------------ orders

    std::int64_t local_price(std::int64_t eur_cents, const Country& c) const {
        if (c.eur_rate == 100) return eur_cents;
        // Converted prices are rounded to whole units, as shops display them.
        return (eur_cents * c.eur_rate + 5000) / 10000 * 100;
    }

    std::int64_t eur_units(std::int64_t cents, const Country& c) const {
        return cents / static_cast<std::int64_t>(c.eur_rate);
    }

    static std::string_view payment_method(Rng& rng, const Country& c) {
        if (c.code == "CN") {
            static constexpr std::array<std::string_view, 3> kCn = {"card", "alipay", "wechat_pay"};
            return kCn[rng.weighted(std::array<unsigned, 3>{25, 45, 30})];
        }
        static constexpr std::array<std::string_view, 4> kOther = {"card", "paypal", "bank_transfer",
                                                                   "gift_card"};
        return kOther[rng.weighted(std::array<unsigned, 4>{72, 16, 6, 6})];
    }

    static std::string tracking_number(Rng& rng, const Carrier& carrier, const Country& dest) {
        switch (carrier.tracking_style) {
            case 'U': {
                // UPU S10: service letters, eight digits, check digit, country.
                static constexpr std::array<std::string_view, 4> kService = {"CP", "CE", "LX", "RR"};
                std::string out(rng.pick(kService));
                const std::string serial = random_digits(rng, 8);
                static constexpr int kWeights[] = {8, 6, 4, 2, 3, 5, 9, 7};
                int sum = 0;
                for (int i = 0; i < 8; ++i) sum += (serial[static_cast<std::size_t>(i)] - '0') * kWeights[i];
                int check = 11 - sum % 11;
                if (check == 10) check = 0;
                if (check == 11) check = 5;
                return out + serial + static_cast<char>('0' + check) + std::string(dest.code);
            }
            case 'Z': {
                static constexpr std::string_view kAlnum = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
                std::string out = "1Z";
                for (int i = 0; i < 6; ++i) out.push_back(rng.pick(kAlnum));
                return out + "03" + random_digits(rng, 8);
            }
            default: {
                std::string out = random_digits(rng, static_cast<int>(carrier.digits));
                // A card-number scanner must never hit the demo data: digit
                // strings of card length are made to fail the Luhn check.
                if (out.size() >= 13 && out.size() <= 19 && luhn_valid(out))
                    out.back() = static_cast<char>('0' + (out.back() - '0' + 1) % 10);
                return out;
            }
        }
    }

    static bool luhn_valid(const std::string& number) {
        int sum = 0;
        bool twice = false;
        for (auto it = number.rbegin(); it != number.rend(); ++it) {
            int d = *it - '0';
            if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    OrderInfo place_order(Rng& rng, const Buyer& b, std::int64_t placed) {
        const Person& p = *b.person;
        const Country& c = *p.country;
        const Id order_id = next_.order++;

        struct Line {
            const Product* product;
            std::int64_t quantity, unit;
            bool mtm;
        };
        std::vector<Line> lines(1 + rng.weighted(std::array<unsigned, 3>{65, 27, 8}));
        std::int64_t total = 0;
        bool any_mtm = false;
        for (Line& l : lines) {
            l.product = &products_[rng.below(products_.size())];
            l.quantity = 1 + static_cast<std::int64_t>(rng.weighted(std::array<unsigned, 3>{85, 12, 3}));
            l.mtm = l.product->category->tailorable && rng.chance(b.has_measurements ? 65 : 15, 100);
            l.unit = local_price(l.product->price_eur_cents, c);
            if (l.mtm) l.unit = l.unit * 5 / 4;  // made-to-measure surcharge
            total += l.quantity * l.unit;
            any_mtm = any_mtm || l.mtm;
        }

        // Timeline. Whatever would lie in the future decides the status
        // instead, so recent orders are still pending, paid or in transit.
        const bool cancelled = rng.chance(4, 100);
        const bool pending = !cancelled && placed >= now_ - 6 * kHour && rng.chance(1, 2);
        const std::int64_t paid = soon_after(rng, placed, 5, 300);
        const std::int64_t shipped =
            paid + (any_mtm ? rng.between(10 * kDay, 28 * kDay) : rng.between(kDay / 2, 4 * kDay));
        const std::int64_t delivered = shipped + rng.between(kDay, 7 * kDay);
        std::string status = cancelled           ? "cancelled"
                             : pending           ? "pending"
                             : shipped >= now_   ? "paid"
                             : delivered >= now_ ? "shipped"
                                                 : "delivered";

        // At most one return, only for delivered orders.
        std::optional<ReturnRow> ret;
        std::int64_t requested = 0;
        if (status == "delivered" && rng.chance(9, 100)) {
            requested = delivered + kHour + static_cast<std::int64_t>(rng.below(30 * kDay));
            if (requested < now_)
                ret =
                    make_return(rng, order_id, requested, lines.front().quantity * lines.front().unit, total);
        }
        const bool full_refund = ret && ret->status == "refunded" && ret->refunded_cents == total;
        if (full_refund) status = "refunded";

        put(OrderRow{order_id, b.customer_id, p.email, iso_timestamp(placed), status, total,
                     std::string(c.currency)});
        for (const Line& l : lines)
            put(OrderItemRow{next_.item++, order_id, l.product->id, l.quantity, l.unit, l.mtm ? 1 : 0});

        // Payments: a card decline before the successful attempt now and
        // then; cancelled orders keep a voided authorisation or nothing.
        const std::string_view method = payment_method(rng, c);
        const Card* card = method == "card" ? &p.cards[rng.below(p.cards.size())] : nullptr;
        const auto pay = [&](std::int64_t at, const char* pay_status) {
            put(PaymentRow{next_.payment++, order_id, std::string(method),
                           card ? std::optional(card->token) : std::nullopt,
                           card ? std::optional(card->last4) : std::nullopt, total, iso_timestamp(at),
                           pay_status});
        };
        if (cancelled) {
            if (rng.chance(6, 10)) pay(paid, "voided");
        } else if (pending) {
            pay(paid, "pending");
        } else {
            if (card && rng.chance(3, 100)) pay(std::max(placed, paid - 30), "failed");
            pay(paid, full_refund ? "refunded" : "succeeded");
        }

        if (status == "shipped" || status == "delivered" || status == "refunded") {
            const Carrier& carrier = shopgen::carrier(rng.pick(c.carriers));
            // Now and then a parcel is a gift: a third person's name and
            // address sit in the buyer's order.
            std::string name = p.full_name();
            Place to = p.home;
            if (rng.chance(4, 100)) {
                Person other;
                other.canary = opt_.canary;
                other.country = &c;
                other.first = pick_first_name(rng, c);
                other.last = pick_last_name(rng, c);
                name = other.full_name();
                to = make_place(rng, c, opt_.canary);
            }
            std::string tracking = tracking_number(rng, carrier, c);
            put(ShipmentRow{next_.shipment++, order_id, std::string(carrier.name), std::move(tracking),
                            std::move(name), std::move(to.line1), std::move(to.city), std::move(to.postcode),
                            std::string(c.code), iso_timestamp(shipped)});
        }
        if (ret) {
            ret->id = next_.ret++;
            put(*ret);
        }

        if (b.loyalty && b.customer_id && status != "cancelled" && status != "pending") {
            Loyalty& l = *b.loyalty;
            if (l.balance >= 500 && rng.chance(15, 100))
                ledger(*b.customer_id, order_id, -500, "redeemed", placed, l);
            const std::int64_t earned = eur_units(total, c);
            ledger(*b.customer_id, order_id, earned, "order", paid, l);
            if (ret && ret->refunded_cents > 0) {
                const std::int64_t back = std::min(l.balance, eur_units(ret->refunded_cents, c));
                if (back > 0)
                    ledger(*b.customer_id, order_id, -back, "return",
                           soon_after(rng, requested, kDay, 5 * kDay), l);
            }
        }
        return OrderInfo{order_id, placed, lines.front().product->id};
    }

    ReturnRow make_return(Rng& rng, Id order_id, std::int64_t requested, std::int64_t first_line_cents,
                          std::int64_t total) {
        const std::int64_t age = now_ - requested;
        std::string status;
        if (age < 7 * kDay) {
            status = "requested";
        } else if (age < 21 * kDay) {
            static constexpr std::array<std::string_view, 4> kRecent = {"requested", "approved", "refunded",
                                                                        "rejected"};
            status = kRecent[rng.weighted(std::array<unsigned, 4>{20, 50, 20, 10})];
        } else {
            status = rng.chance(78, 100) ? "refunded" : "rejected";
        }
        std::int64_t refunded = 0;
        if (status == "refunded") refunded = rng.chance(65, 100) ? total : first_line_cents;

        std::optional<std::string> reason;
        if (rng.chance(9, 10)) {
            const std::string_view tpl = rng.pick(return_reasons());
            const Body body = make_body(rng);  // numbers people quote need not match the file
            reason = fill(tpl, [&](std::string_view key) -> std::string {
                if (key == "sleeve_delta") return std::to_string(1 + rng.below(4));
                if (key == "chest") return half_cm_text(body.chest.value_or(200));
                if (key == "inseam") return half_cm_text(body.inseam.value_or(160));
                if (key == "waist") return half_cm_text(body.waist.value_or(170));
                throw std::logic_error("unknown return reason key " + std::string(key));
            });
        }
        return ReturnRow{0,        order_id,         std::move(reason), iso_timestamp(requested),
                         refunded, std::move(status)};
    }

    void ledger(Id customer_id, std::optional<Id> order_id, std::int64_t points, const char* reason,
                std::int64_t at, Loyalty& l) {
        l.balance += points;
        put(LoyaltyRow{next_.loyalty++, customer_id, order_id, points, reason, iso_timestamp(at)});
    }

    // ------------------------------------------------------------ tickets

    void write_tickets(Rng& rng, Id id, const Person& p, const std::optional<std::string>& phone,
                       const std::optional<Body>& body, const std::vector<OrderInfo>& orders,
                       std::int64_t created) {
        const std::size_t count = rng.weighted(std::array<unsigned, 4>{80, 15, 4, 1});
        for (std::size_t k = 0; k < count; ++k) {
            // Most customers write from their account address; some from
            // another one, which only the customer_id link reveals.
            std::string email = p.email;
            if (rng.chance(5, 100))
                email = make_email(rng, p.first, p.last, "w" + std::to_string(id), opt_.canary);
            const OrderInfo* order = orders.empty() ? nullptr : &orders[rng.below(orders.size())];
            write_ticket(rng, id, p, email, phone, body, order, created);
        }
    }

    void write_ticket(Rng& rng, std::optional<Id> customer_id, const Person& p, const std::string& email,
                      const std::optional<std::string>& phone, const std::optional<Body>& body,
                      const OrderInfo* order, std::int64_t since) {
        using Needs = TicketTemplate::Needs;
        const auto all = ticket_templates();
        const TicketTemplate* t = &rng.pick(all);
        const auto usable = [&](const TicketTemplate& c) {
            return c.needs == Needs::nothing || (c.needs == Needs::order && order) ||
                   (c.needs == Needs::measurements && body) || (c.needs == Needs::phone && phone);
        };
        while (!usable(*t)) t = &all[(static_cast<std::size_t>(t - all.data()) + 1) % all.size()];

        const std::int64_t at =
            t->needs == Needs::order ? soon_after(rng, order->placed, kDay, 20 * kDay) : after(rng, since);
        const Body fallback = make_body(rng);
        const Body& b = body ? *body : fallback;
        const std::string_view product_name =
            order ? products_[static_cast<std::size_t>(order->product_id - 1)].name
                  : std::string_view(rng.pick(products_).name);
        const auto value = [&](std::string_view key) -> std::string {
            if (key == "first") return p.first_name();
            if (key == "last") return p.last_name();
            if (key == "email") return email;
            if (key == "phone") return phone.value_or("");
            if (key == "order") return std::to_string(order->id);
            if (key == "order_date") return iso_date(order->placed);
            if (key == "line1") return p.home.line1;
            if (key == "city") return p.home.city;
            if (key == "product") return std::string(product_name);
            if (key == "since") return iso_date(since);
            if (key == "chest") return half_cm_text(b.chest.value_or(200));
            if (key == "waist") return half_cm_text(b.waist.value_or(170));
            if (key == "inseam") return half_cm_text(b.inseam.value_or(160));
            if (key == "height") return half_cm_text(b.height.value_or(350));
            if (key == "neck") return half_cm_text(b.neck.value_or(80));
            if (key == "sleeve") return half_cm_text(b.sleeve.value_or(128));
            throw std::logic_error("unknown ticket key " + std::string(key));
        };
        std::string subject = fill(t->subject, value);
        std::string text = fill(t->body, value);

        const std::int64_t age = now_ - at;
        std::string status = age < 2 * kDay        ? "open"
                             : age < 14 * kDay     ? (rng.chance(1, 2) ? "pending" : "closed")
                             : rng.chance(97, 100) ? "closed"
                                                   : "pending";
        put(SupportTicketRow{next_.ticket++, customer_id, email, std::move(subject), std::move(text),
                             iso_timestamp(at), std::move(status)});
    }

    // ------------------------------------------------------------ newsletter

    // Instant strictly between lo and hi, if there is one.
    static std::optional<std::int64_t> strictly_between(Rng& rng, std::int64_t lo, std::int64_t hi) {
        if (hi - lo < 2) return std::nullopt;
        return lo + 1 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo - 1)));
    }

    void newsletter_story(Rng& rng, std::optional<Id> customer_id, const std::string& email,
                          std::int64_t subscribed, bool stays) {
        const std::optional<std::int64_t> unsubscribed =
            stays ? std::nullopt : strictly_between(rng, subscribed, now_);
        const std::int64_t end = unsubscribed.value_or(now_);
        struct Event {
            std::int64_t at;
            const char* what;
        };
        std::vector<Event> events{{subscribed, "subscribed"}};
        const std::size_t opens = rng.below(3);
        for (std::size_t k = 0; k < opens; ++k) {
            const std::optional<std::int64_t> at = strictly_between(rng, subscribed, end);
            if (!at) break;
            events.push_back({*at, "opened"});
            if (rng.chance(1, 4) && *at + 600 < end)
                events.push_back({*at + rng.between(10, 600), "clicked"});
        }
        if (unsubscribed) events.push_back({*unsubscribed, "unsubscribed"});
        std::stable_sort(events.begin(), events.end(),
                         [](const Event& a, const Event& b) { return a.at < b.at; });
        for (const Event& e : events)
            put(NewsletterEventRow{next_.newsletter++, customer_id, email, e.what, e.at});
    }

    void write_newsletter(Rng& rng, Id id, const std::string& email, bool opt_in, std::int64_t created) {
        // The final state agrees with customers.marketing_opt_in.
        if (opt_in) {
            newsletter_story(rng, id, email, soon_after(rng, created, 0, 30 * kDay), true);
        } else if (rng.chance(1, 10)) {
            newsletter_story(rng, id, email, after(rng, created), false);
        }
    }

    // ------------------------------------------------------------ sessions

    void session(Rng& rng, std::optional<Id> customer_id, const std::string& ip, std::string_view agent,
                 std::int64_t at) {
        put(WebSessionRow{next_.session++, customer_id, ip, std::string(agent),
                          at * 1000 + static_cast<std::int64_t>(rng.below(1000))});
    }

    void write_sessions(Rng& rng, Id id, std::int64_t created, std::optional<std::int64_t> last_login) {
        if (!last_login) return;
        std::vector<std::string> ips{make_ip(rng)};
        if (rng.chance(1, 3)) ips.push_back(make_ip(rng));
        const std::string_view agent = rng.pick(user_agents());
        std::vector<std::int64_t> times(rng.weighted(std::array<unsigned, 4>{65, 27, 6, 2}));
        for (auto& t : times)
            t = created + static_cast<std::int64_t>(rng.below(
                              static_cast<std::uint64_t>(std::max<std::int64_t>(1, *last_login - created))));
        std::sort(times.begin(), times.end());
        times.push_back(*last_login);  // the session of the last login
        for (std::int64_t t : times) {
            const std::string& ip = ips[rng.below(ips.size())];
            session(rng, id, ip, agent, t);
        }
    }

    // ------------------------------------------------------------ heavy subject

    // The most rows one place_order can write: the order, three lines, a
    // failed and a successful payment, a shipment, a return and three
    // loyalty entries (redeemed, earned, taken back).
    static constexpr std::int64_t kMaxOrderRows = 11;

    // A customer whose history fills exactly opt_.heavy_subject_rows rows:
    // a buyer of staff uniforms for a chain of shops, whose account came over
    // from the shop's first system (so it dates from the first year though
    // its id is the last), with an order about every seventh event and web
    // sessions between them. Its own random stream, and written after every
    // other row, so the rest of the shop is the shop without it.
    void write_heavy_subject(Id id) {
        Rng rng(stream_seed(opt_.seed, kStreamHeavySubject, 0));
        const std::int64_t budget = opt_.heavy_subject_rows;
        const std::int64_t first_row = rows_put_;
        const auto written = [&] { return rows_put_ - first_row; };

        Person p;
        p.canary = opt_.canary;
        p.country = &pick_country(rng);
        p.first = pick_first_name(rng, *p.country);
        p.last = pick_last_name(rng, *p.country);
        p.home = make_place(rng, *p.country, opt_.canary);
        p.email = make_email(rng, p.first, p.last, std::to_string(id), opt_.canary);
        if (recording_) recording_->email = p.email;
        p.cards.push_back(make_card(rng));
        p.cards.push_back(make_card(rng));
        const std::int64_t created = start_ + static_cast<std::int64_t>(rng.below(365 * kDay));
        const std::int64_t last_login = now_ - 1 - static_cast<std::int64_t>(rng.below(6 * kHour));
        put(CustomerRow{id, p.email, p.first_name(), p.last_name(), phone_number(*p.country, id, opt_.seed),
                        std::nullopt, iso_timestamp(created), iso_timestamp(last_login), 0,
                        std::string(p.country->language)});
        if (written() < budget)
            put(AddressRow{next_.address++, id, "shipping", p.full_name(), p.home.line1, p.home.line2, p.home.city,
                           p.home.postcode, std::string(p.country->code), iso_timestamp(created)});

        // Events march from sign-up to the last login as the rows fill the
        // budget, so the history spans the whole window whatever its size.
        const std::vector<std::string> ips{make_ip(rng), make_ip(rng), make_ip(rng)};
        const std::string_view agent = rng.pick(user_agents());
        const std::int64_t span = last_login - kHour - created;
        Loyalty loyalty;
        while (written() < budget) {
            // (span, under 2^29 seconds, times at most 2^30 rows fits in 64 bits)
            const std::int64_t at = created + span * written() / budget;
            if (budget - written() >= kMaxOrderRows && rng.chance(1, 7))
                place_order(rng, Buyer{id, &p, false, &loyalty}, at);
            else
                session(rng, id, ips[rng.below(ips.size())], agent, at);
        }
        if (written() != budget) throw std::logic_error("heavy subject: kMaxOrderRows is too small");
    }

    // ------------------------------------------------------------ non-customers

    // Guests are numbered; their identity is recomputed from the number, so a
    // repeat guest gets the same name, address and card every time.
    Person guest(std::int64_t k) const {
        Rng rng(stream_seed(opt_.seed, kStreamGuest, static_cast<std::uint64_t>(k)));
        Person p;
        p.canary = opt_.canary;
        p.country = &pick_country(rng);
        p.first = pick_first_name(rng, *p.country);
        p.last = pick_last_name(rng, *p.country);
        p.home = make_place(rng, *p.country, opt_.canary);
        p.email = make_email(rng, p.first, p.last, "g" + std::to_string(k), opt_.canary);
        p.cards.push_back(make_card(rng));
        return p;
    }

    std::int64_t pick_guest(Rng& rng, unsigned reuse_percent) {
        if (!guests_.empty() && rng.chance(reuse_percent, 100))
            return 1 + static_cast<std::int64_t>(rng.below(guests_.size()));
        guests_.emplace_back();
        return static_cast<std::int64_t>(guests_.size());
    }

    // Rows of people who are not customers, interleaved with the customers
    // so that ids and timestamps mix the way they do in a live shop.
    void write_strangers(Rng& rng) {
        if (rng.chance(18, 100)) {
            const std::int64_t k = pick_guest(rng, 30);
            const Person p = guest(k);
            const OrderInfo o = place_order(rng, Buyer{std::nullopt, &p, false, nullptr}, after(rng, start_));
            guests_[static_cast<std::size_t>(k - 1)].last_order = o;
        }
        if (rng.chance(4, 100)) {
            const std::int64_t k = pick_guest(rng, 60);
            const Person p = guest(k);
            const auto& last = guests_[static_cast<std::size_t>(k - 1)].last_order;
            write_ticket(rng, std::nullopt, p, p.email, std::nullopt, std::nullopt, last ? &*last : nullptr,
                         last ? last->placed : start_);
        }
        if (rng.chance(5, 100)) {
            const std::int64_t k = ++newsletter_readers_;
            Rng reader(stream_seed(opt_.seed, kStreamNewsletterReader, static_cast<std::uint64_t>(k)));
            const Country& c = pick_country(reader);
            const Name first = pick_first_name(reader, c);
            const Name last = pick_last_name(reader, c);
            const std::string email = make_email(reader, first, last, "n" + std::to_string(k), opt_.canary);
            const std::int64_t subscribed = after(rng, start_);
            const bool stays = rng.chance(7, 10);
            newsletter_story(rng, std::nullopt, email, subscribed, stays);
        }
        if (rng.chance(3, 10)) {
            const std::string ip = make_ip(rng);
            const std::string_view agent = rng.pick(user_agents());
            session(rng, std::nullopt, ip, agent, after(rng, start_));
        }
    }

    struct NextIds {
        Id address = 1, measurement = 1, order = 1, item = 1, payment = 1, shipment = 1, ret = 1, ticket = 1,
           loyalty = 1, newsletter = 1, session = 1;
    };

    const GeneratorOptions& opt_;
    ShopWriter& w_;
    GroundTruth* truth_;
    TruthSubject* recording_ = nullptr;  // the chosen customer being written, if any
    const std::int64_t now_, start_;
    std::vector<Product> products_;
    std::optional<HouseholdCandidate> household_;
    std::vector<GuestMemory> guests_;
    std::int64_t newsletter_readers_ = 0;
    std::int64_t rows_put_ = 0;  // personal rows written so far, for the heavy subject's budget
    NextIds next_;
};

}  // namespace

void generate_shop(const GeneratorOptions& options, ShopWriter& writer, const ProgressFn& progress,
                   GroundTruth* truth) {
    if (options.customers < 0 || options.customers > kMaxCustomers)
        throw std::invalid_argument("customers out of range");
    if (options.heavy_subject_rows < 0 || options.heavy_subject_rows > kMaxHeavySubjectRows ||
        heavy_subject_id(options) > kMaxCustomers)
        throw std::invalid_argument("heavy subject out of range");
    Generator(options, writer, truth).run(progress);
}

}  // namespace shopgen
