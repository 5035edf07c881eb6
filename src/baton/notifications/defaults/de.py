"""Deutsch."""

from baton.notifications.moments import Moment as M

GREETING = "Hallo{% if customer_name %} {{ customer_name }}{% endif %},"
FOOTER = ("--\n{{ shop_name }}\nSie erhalten diese Nachricht wegen Ihrer Bestellung {{ order_number }}. "
          "Wählen Sie, welche Nachrichten Sie erhalten: {{ preferences_url }}")

TEXTS = {
    M.ORDER_CONFIRMED: (
        "Ihre Bestellung {{ order_number }} ist bestätigt",
        "vielen Dank für Ihre Bestellung {{ order_number }} über {{ order_total }}. Wir sagen Ihnen Bescheid, "
        "sobald sie unterwegs ist.\n\nIhre Bestellung verfolgen: {{ tracking_url }}",
        "{{ shop_name }}: Bestellung {{ order_number }} bestätigt ({{ order_total }}). Verfolgen: {{ tracking_url }}"),
    M.PAYMENT_PROBLEM: (
        "Bitte handeln Sie: die Zahlung für Bestellung {{ order_number }}",
        "die Zahlung von {{ amount }} für Ihre Bestellung {{ order_number }} ist nicht durchgegangen. Bitte "
        "zahlen Sie erneut, zum Beispiel mit einer anderen Karte: {{ portal_url }}\n\n"
        "Ihre Bestellung wartet so lange.",
        "{{ shop_name }}: Die Zahlung für Bestellung {{ order_number }} ist nicht durchgegangen. Erneut zahlen: "
        "{{ portal_url }}"),
    M.READY_FOR_PICKUP: (
        "Bestellung {{ order_number }} liegt zur Abholung bereit",
        "Ihre Bestellung {{ order_number }} liegt in {{ pickup_location }} zur Abholung bereit. Bitte bringen Sie "
        "Ihre Bestellnummer mit.",
        "{{ shop_name }}: Bestellung {{ order_number }} liegt in {{ pickup_location }} zur Abholung bereit."),
    M.SHIPPED: (
        "Bestellung {{ order_number }} ist unterwegs",
        "ein Paket Ihrer Bestellung {{ order_number }} ist mit {{ carrier }} unterwegs"
        "{% if tracking_number %} (Sendungsnummer {{ tracking_number }}){% endif %}.\n\n"
        "Sendung verfolgen: {{ tracking_url }}",
        "{{ shop_name }}: Bestellung {{ order_number }} mit {{ carrier }} versandt. Verfolgen: {{ tracking_url }}"),
    M.OUT_FOR_DELIVERY: (
        "Bestellung {{ order_number }} kommt heute",
        "{{ carrier }} stellt heute ein Paket Ihrer Bestellung {{ order_number }} zu.\n\n"
        "Sendung verfolgen: {{ tracking_url }}",
        "{{ shop_name }}: Bestellung {{ order_number }} wird heute zugestellt. {{ tracking_url }}"),
    M.DELIVERED: (
        "Bestellung {{ order_number }} wurde zugestellt",
        "ein Paket Ihrer Bestellung {{ order_number }} wurde zugestellt. Viel Freude damit!\n\n"
        "Stimmt etwas nicht? Hier können Sie eine Rücksendung anmelden: {{ portal_url }}",
        "{{ shop_name }}: Bestellung {{ order_number }} wurde zugestellt."),
    M.DELAYED: (
        "Verzögerung bei Bestellung {{ order_number }}",
        "{{ carrier }} meldet ein Problem mit einem Paket Ihrer Bestellung {{ order_number }}"
        "{% if reason %}: {{ reason }}{% endif %}. Wir kümmern uns darum und halten Sie auf dem Laufenden.\n\n"
        "Sendung verfolgen: {{ tracking_url }}",
        "{{ shop_name }}: Verzögerung bei Bestellung {{ order_number }}. Wir kümmern uns: {{ tracking_url }}"),
    M.RETURN_RECEIVED: (
        "Ihre Rücksendung {{ return_number }} ist angekommen",
        "die zurückgeschickten Artikel aus Bestellung {{ order_number }} (Rücksendung {{ return_number }}) sind "
        "bei uns angekommen. Wir prüfen sie und erstatten Ihnen dann den Betrag.",
        "{{ shop_name }}: Rücksendung {{ return_number }} zu Bestellung {{ order_number }} ist angekommen."),
    M.REFUND_ISSUED: (
        "Erstattung von {{ amount }} für Bestellung {{ order_number }}",
        "wir haben Ihnen {{ amount }} für Ihre Bestellung {{ order_number }} erstattet. Je nach Bank kann es "
        "einige Tage dauern, bis der Betrag auf Ihrem Konto erscheint.",
        "{{ shop_name }}: {{ amount }} für Bestellung {{ order_number }} erstattet."),
}
