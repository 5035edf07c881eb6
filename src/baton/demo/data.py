"""Static data of the demo shop: locations, catalog vocabulary, people and places. Plain tuples, no logic."""

from __future__ import annotations

from dataclasses import dataclass

from baton.catalog.model import LocationType


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    type: LocationType
    line1: str
    city: str
    postal_code: str
    region: str  # state (US) or Land (DE)
    country: str
    latitude: float
    longitude: float
    ships: bool = True
    pickup: bool = False
    priority: int = 100
    daily_capacity: int | None = None
    role: str = "secondary"  # main / secondary warehouse, store, dropship: drives stock and replenishment


W, S, D = LocationType.WAREHOUSE, LocationType.STORE, LocationType.DROPSHIP
SITES: tuple[Site, ...] = (
    Site("WH-EWR", "Newark Fulfillment Center", W, "300 Doremus Ave", "Newark", "07105", "NJ", "US",
         40.7230, -74.1390, priority=1, daily_capacity=1500, role="main"),
    Site("WH-RNO", "Reno Distribution Center", W, "555 Vista Blvd", "Sparks", "89434", "NV", "US",
         39.5350, -119.7250, priority=2, daily_capacity=900),
    Site("WH-DFW", "Dallas Distribution Center", W, "4100 Mountain Creek Pkwy", "Dallas", "75236", "TX", "US",
         32.6900, -96.9350, priority=2, daily_capacity=900),
    Site("WH-DUI", "Duisburg Logistikzentrum", W, "Hafenstraße 12", "Duisburg", "47119", "NW", "DE",
         51.4530, 6.7350, priority=1, daily_capacity=1200, role="main"),
    Site("WH-LEJ", "Leipzig Logistikzentrum", W, "Am Exer 9", "Leipzig", "04158", "SN", "DE",
         51.4000, 12.3200, priority=2, daily_capacity=700),
    Site("ST-NYC", "Baton Store Flatiron", S, "170 Fifth Ave", "New York", "10010", "NY", "US",
         40.7403, -73.9908, ships=True, pickup=True, priority=5, daily_capacity=120, role="store"),
    Site("ST-SFO", "Baton Store Union Square", S, "233 Geary St", "San Francisco", "94102", "CA", "US",
         37.7875, -122.4070, ships=False, pickup=True, priority=5, role="store"),
    Site("ST-BER", "Baton Store Mitte", S, "Rosenthaler Straße 40", "Berlin", "10178", "BE", "DE",
         52.5260, 13.4020, ships=True, pickup=True, priority=5, daily_capacity=100, role="store"),
    Site("ST-MUC", "Baton Store Marienplatz", S, "Kaufingerstraße 9", "München", "80331", "BY", "DE",
         48.1374, 11.5725, ships=False, pickup=True, priority=5, role="store"),
    Site("DS-HVH", "Hudson Valley Home & Garden (dropship)", D, "41 Route 9W", "Newburgh", "12550", "NY", "US",
         41.5030, -74.0100, priority=8, role="dropship"),
)

# -- catalog ---------------------------------------------------------------------------------------------------
# Each category: (prefix, name, base products, variants). A base is (noun, lowest USD, highest USD, grams);
# a product is a variant + a base, so names read like "Merino Crew Sweater" or "Walnut Serving Board".
Base = tuple[str, int, int, int]


@dataclass(frozen=True)
class Category:
    prefix: str
    name: str
    bases: tuple[Base, ...]
    variants: tuple[str, ...]
    in_stores: bool  # the stores carry (part of) this category for pickup
    bulky: bool = False  # the dropship supplier carries it


CATEGORIES: tuple[Category, ...] = (
    Category("APP", "apparel", (
        ("Crew T-Shirt", 14, 32, 180), ("Hoodie", 45, 85, 620), ("Oxford Shirt", 39, 69, 300),
        ("Chinos", 49, 79, 520), ("Denim Jacket", 79, 139, 900), ("Crew Sweater", 59, 119, 450),
        ("Rain Jacket", 89, 169, 700), ("Lounge Pants", 35, 55, 380)),
        ("Classic", "Organic Cotton", "Merino", "Relaxed", "Heavyweight", "Linen", "Everyday"), True),
    Category("FTW", "footwear", (
        ("Running Shoe", 79, 159, 620), ("Leather Sneaker", 89, 149, 900), ("Chelsea Boot", 129, 229, 1300),
        ("Trail Shoe", 99, 169, 760), ("Canvas Slip-On", 39, 69, 500), ("Wool Slipper", 29, 59, 350),
        ("Hiking Boot", 139, 219, 1400)),
        ("Lightweight", "All-Weather", "Vegan", "Classic", "Cushioned", "Recycled"), True),
    Category("HOM", "home", (
        ("Throw Blanket", 39, 99, 1100), ("Linen Duvet Cover", 89, 189, 1500), ("Table Lamp", 49, 129, 1800),
        ("Wall Clock", 29, 69, 900), ("Scented Candle", 14, 34, 400), ("Bath Towel Set", 35, 79, 1600),
        ("Storage Basket", 19, 49, 700), ("Floor Cushion", 45, 95, 1900)),
        ("Nordic", "Stonewashed", "Woven", "Minimal", "Rattan", "Oak", "Terracotta"), True, bulky=True),
    Category("KIT", "kitchen", (
        ("Chef's Knife", 49, 149, 250), ("Cast Iron Skillet", 29, 79, 2400), ("Pour-Over Coffee Set", 35, 69, 800),
        ("Serving Board", 25, 59, 1100), ("Mixing Bowl Set", 24, 49, 1300), ("Dutch Oven", 79, 249, 5200),
        ("Espresso Cups (Set of 4)", 19, 39, 600), ("Stand Mixer", 249, 449, 9800)),
        ("Walnut", "Enamel", "Stainless", "Ceramic", "Pro", "Matte Black"), False, bulky=True),
    Category("ELE", "electronics", (
        ("Wireless Earbuds", 59, 199, 60), ("Bluetooth Speaker", 39, 149, 700), ("USB-C Charger 65W", 29, 59, 180),
        ("Noise-Cancelling Headphones", 149, 349, 260), ("E-Reader", 99, 179, 190),
        ("Smart Plug (2-Pack)", 19, 35, 200), ("Action Camera", 199, 399, 150), ("Power Bank 20000mAh", 35, 69, 350)),
        ("Compact", "Pro", "Mini", "Max", "Lite", "Studio"), True),
    Category("TOY", "toys", (
        ("Wooden Train Set", 29, 89, 1500), ("Building Blocks (500 pcs)", 24, 59, 1100), ("Plush Bear", 14, 34, 300),
        ("Puzzle (1000 pcs)", 14, 29, 700), ("Remote Control Car", 39, 99, 900), ("Board Game", 24, 59, 1200),
        ("Craft Kit", 15, 35, 600)),
        ("Adventure", "Classic", "Junior", "Family", "Deluxe", "Rainbow"), True),
    Category("BEA", "beauty", (
        ("Face Serum", 19, 59, 90), ("Hand Cream", 9, 24, 110), ("Shampoo Bar", 9, 16, 90),
        ("Lip Balm (3-Pack)", 8, 15, 40), ("Body Lotion", 14, 32, 350), ("Eau de Parfum 50ml", 49, 119, 300),
        ("Clay Mask", 16, 34, 150)),
        ("Rose", "Unscented", "Citrus", "Lavender", "Sea Salt", "Vanilla"), True),
    Category("SPO", "sports", (
        ("Yoga Mat", 29, 89, 1800), ("Adjustable Dumbbells", 149, 349, 15000), ("Resistance Bands", 14, 34, 300),
        ("Water Bottle 750ml", 19, 39, 350), ("Cycling Jersey", 49, 99, 200), ("Tennis Racket", 79, 219, 300),
        ("Foam Roller", 19, 45, 600), ("Backpack 28L", 69, 149, 1100)),
        ("Performance", "Eco", "Pro", "Travel", "Studio", "Trail"), True),
    Category("BOO", "books", (
        ("(Hardcover)", 22, 35, 650), ("(Paperback)", 12, 19, 350)),
        ("The Quiet Harbor", "A Field Guide to City Birds", "Salt and Smoke", "The Last Lighthouse Keeper",
         "Everyday Fermentation", "Small Gardens, Big Harvests", "The Cartographer's Daughter", "Running North",
         "Modern Bread", "The Pocket Atlas of Stars", "Ten Walks in Berlin", "Notes from the Night Train",
         "Letters to a Young Maker", "The Glass Orchard"), True),
    Category("GAR", "garden", (
        ("Raised Garden Bed", 89, 229, 14000), ("Garden Hose 25m", 35, 79, 3200), ("Pruning Shears", 19, 49, 260),
        ("Outdoor String Lights", 29, 69, 900), ("Compost Bin", 59, 129, 8000), ("Bird Feeder", 19, 49, 800),
        ("Patio Chair", 89, 199, 6500), ("Seed Starter Kit", 14, 29, 700)),
        ("Cedar", "Galvanized", "Heavy-Duty", "Solar", "Teak", "Compact"), False, bulky=True),
    Category("PET", "pets", (
        ("Dog Bed", 49, 129, 2400), ("Cat Scratcher", 19, 49, 1500), ("Leash and Collar Set", 24, 49, 250),
        ("Ceramic Pet Bowl", 14, 29, 700), ("Chew Toy (3-Pack)", 9, 19, 200), ("Travel Crate", 69, 149, 5000)),
        ("Cozy", "Rope", "Orthopedic", "Reflective", "Natural", "Bamboo"), False),
)
PRODUCTS_PER_CATEGORY = 24

# -- people and places -----------------------------------------------------------------------------------------
US_FIRST = ("James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "William", "Elizabeth",
            "Daniel", "Sarah", "Matthew", "Jessica", "Anthony", "Karen", "Joshua", "Emily", "Andrew", "Ashley",
            "Kevin", "Olivia", "Brian", "Sophia", "Jose", "Isabella", "Ryan", "Mia", "Ethan", "Chloe", "Noah",
            "Grace", "Lucas", "Maya", "Aiden", "Priya", "Wei", "Aaliyah", "Diego", "Hannah")
US_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
           "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
           "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
           "Wright", "Scott", "Nguyen", "Hill", "Flores", "Green", "Patel", "Kim", "Chen", "Rivera")
DE_FIRST = ("Lukas", "Anna", "Leon", "Mia", "Finn", "Emma", "Jonas", "Hannah", "Paul", "Lea", "Felix", "Sophie",
            "Maximilian", "Marie", "Elias", "Lena", "Noah", "Laura", "Ben", "Julia", "Tim", "Katharina",
            "Moritz", "Johanna", "Jan", "Clara", "Niklas", "Greta", "Tobias", "Ida", "Emre", "Aylin")
DE_LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
           "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
           "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Öztürk")
BUSINESSES = (("Northwind Interiors", "US"), ("Bluebird Café Group", "US"), ("Summit Outfitters", "US"),
              ("Harbor Hotel Supply", "US"), ("Pine & Oak Studios", "US"), ("Lakeside Dental Practice", "US"),
              ("Hansa Büroservice GmbH", "DE"), ("Kiez Kaffee Rösterei", "DE"), ("Alpen Sport Verleih", "DE"),
              ("Rheinwerk Architekten", "DE"), ("Hotel Elbblick", "DE"))

US_STREETS = ("Main Street", "Oak Avenue", "Maple Street", "Park Avenue", "Washington Street", "Cedar Lane",
              "Elm Street", "Lakeview Drive", "Sunset Boulevard", "Hillcrest Road", "Broadway", "Pine Street",
              "Church Street", "Highland Avenue", "Mill Road", "Ridge Road")
DE_STREETS = ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Lindenstraße", "Bergstraße",
              "Kirchweg", "Goethestraße", "Schillerstraße", "Am Markt", "Rosenweg", "Parkstraße", "Friedrichstraße",
              "Mühlenweg", "Wiesenstraße", "Ringstraße")


@dataclass(frozen=True)
class City:
    name: str
    region: str
    country: str
    postal_codes: tuple[str, ...]
    latitude: float
    longitude: float
    weight: int  # relative share of customers
    store: str | None = None  # the store a customer here may pick up from


CITIES: tuple[City, ...] = (
    City("New York", "NY", "US", ("10001", "10011", "10016", "10025", "10128"), 40.7306, -73.9866, 14, "ST-NYC"),
    City("Brooklyn", "NY", "US", ("11201", "11211", "11215", "11238"), 40.6782, -73.9442, 7, "ST-NYC"),
    City("Jersey City", "NJ", "US", ("07302", "07306", "07310"), 40.7178, -74.0431, 3, "ST-NYC"),
    City("Boston", "MA", "US", ("02108", "02116", "02130"), 42.3601, -71.0589, 5),
    City("Philadelphia", "PA", "US", ("19103", "19107", "19147"), 39.9526, -75.1652, 5),
    City("Washington", "DC", "US", ("20001", "20009", "20016"), 38.9072, -77.0369, 4),
    City("Chicago", "IL", "US", ("60601", "60614", "60622", "60657"), 41.8781, -87.6298, 7),
    City("Atlanta", "GA", "US", ("30303", "30308", "30318"), 33.7490, -84.3880, 4),
    City("Miami", "FL", "US", ("33125", "33130", "33139"), 25.7617, -80.1918, 4),
    City("Dallas", "TX", "US", ("75201", "75204", "75214"), 32.7767, -96.7970, 5),
    City("Houston", "TX", "US", ("77002", "77006", "77019"), 29.7604, -95.3698, 5),
    City("Austin", "TX", "US", ("73301", "78702", "78704"), 30.2672, -97.7431, 4),
    City("Denver", "CO", "US", ("80202", "80205", "80218"), 39.7392, -104.9903, 4),
    City("Phoenix", "AZ", "US", ("85003", "85004", "85016"), 33.4484, -112.0740, 3),
    City("Los Angeles", "CA", "US", ("90012", "90026", "90046", "90210"), 34.0522, -118.2437, 9),
    City("San Francisco", "CA", "US", ("94103", "94110", "94117", "94122"), 37.7749, -122.4194, 7, "ST-SFO"),
    City("Oakland", "CA", "US", ("94607", "94610", "94612"), 37.8044, -122.2712, 3, "ST-SFO"),
    City("Seattle", "WA", "US", ("98101", "98103", "98122"), 47.6062, -122.3321, 5),
    City("Portland", "OR", "US", ("97205", "97209", "97214"), 45.5152, -122.6784, 3),
    City("Las Vegas", "NV", "US", ("89101", "89109", "89123"), 36.1699, -115.1398, 2),
    City("Reno", "NV", "US", ("89501", "89502", "89509"), 39.5296, -119.8138, 1),
    City("Berlin", "BE", "DE", ("10115", "10243", "10405", "10965", "12047"), 52.5200, 13.4050, 12, "ST-BER"),
    City("Potsdam", "BB", "DE", ("14467", "14469", "14482"), 52.3906, 13.0645, 2, "ST-BER"),
    City("Hamburg", "HH", "DE", ("20095", "20357", "22765"), 53.5511, 9.9937, 7),
    City("München", "BY", "DE", ("80331", "80469", "80799", "81667"), 48.1351, 11.5820, 8, "ST-MUC"),
    City("Augsburg", "BY", "DE", ("86150", "86152", "86159"), 48.3705, 10.8978, 2, "ST-MUC"),
    City("Köln", "NW", "DE", ("50667", "50674", "50823"), 50.9375, 6.9603, 6),
    City("Düsseldorf", "NW", "DE", ("40210", "40213", "40477"), 51.2277, 6.7735, 4),
    City("Essen", "NW", "DE", ("45127", "45130", "45138"), 51.4556, 7.0116, 3),
    City("Dortmund", "NW", "DE", ("44135", "44137", "44139"), 51.5136, 7.4653, 3),
    City("Frankfurt am Main", "HE", "DE", ("60311", "60316", "60594"), 50.1109, 8.6821, 5),
    City("Stuttgart", "BW", "DE", ("70173", "70178", "70197"), 48.7758, 9.1829, 4),
    City("Leipzig", "SN", "DE", ("04103", "04107", "04277"), 51.3397, 12.3731, 3),
    City("Dresden", "SN", "DE", ("01067", "01097", "01309"), 51.0504, 13.7373, 3),
    City("Nürnberg", "BY", "DE", ("90402", "90403", "90429"), 49.4521, 11.0767, 3),
    City("Hannover", "NI", "DE", ("30159", "30161", "30169"), 52.3759, 9.7320, 3),
)

# -- carriers --------------------------------------------------------------------------------------------------
# (carrier, services, tracking number pattern: "1Z" + 16 alphanumerics, or a count of digits after a prefix)
CARRIERS: dict[str, tuple[tuple[str, tuple[str, ...], str, int], ...]] = {
    "US": (("UPS", ("Ground", "2nd Day Air"), "1Z", 16), ("FedEx", ("Home Delivery", "Express Saver"), "", 12),
           ("USPS", ("Ground Advantage", "Priority Mail"), "9400", 18)),
    "DE": (("DHL", ("Paket", "Express"), "00340434", 12), ("DPD", ("Classic", "Express"), "0", 13),
           ("Hermes", ("Paket",), "H", 19)),
}
