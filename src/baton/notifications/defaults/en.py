"""English, the language every other falls back to."""

from baton.notifications.moments import Moment as M

GREETING = "Hello{% if customer_name %} {{ customer_name }}{% endif %},"
FOOTER = ("--\n{{ shop_name }}\nYou receive this message because of your order {{ order_number }}. "
          "Choose which messages you get: {{ preferences_url }}")

TEXTS = {
    M.ORDER_CONFIRMED: (
        "Your order {{ order_number }} is confirmed",
        "thank you for your order {{ order_number }} of {{ order_total }}. We will tell you as soon as it is on "
        "its way.\n\nFollow your order: {{ tracking_url }}",
        "{{ shop_name }}: order {{ order_number }} confirmed ({{ order_total }}). Follow it: {{ tracking_url }}"),
    M.PAYMENT_PROBLEM: (
        "Action needed: the payment for order {{ order_number }}",
        "the payment of {{ amount }} for your order {{ order_number }} did not go through. Please pay again, "
        "for example with another card: {{ portal_url }}\n\nYour order waits until then.",
        "{{ shop_name }}: the payment for order {{ order_number }} did not go through. Pay again: {{ portal_url }}"),
    M.READY_FOR_PICKUP: (
        "Order {{ order_number }} is ready for pickup",
        "your order {{ order_number }} is ready for pickup at {{ pickup_location }}. Please bring your order "
        "number with you.",
        "{{ shop_name }}: order {{ order_number }} is ready for pickup at {{ pickup_location }}."),
    M.SHIPPED: (
        "Order {{ order_number }} is on its way",
        "a parcel of your order {{ order_number }} has left us with {{ carrier }}"
        "{% if tracking_number %} (tracking number {{ tracking_number }}){% endif %}.\n\n"
        "Follow it: {{ tracking_url }}",
        "{{ shop_name }}: order {{ order_number }} shipped with {{ carrier }}. Follow it: {{ tracking_url }}"),
    M.OUT_FOR_DELIVERY: (
        "Order {{ order_number }} arrives today",
        "{{ carrier }} is out delivering a parcel of your order {{ order_number }}: it should arrive today.\n\n"
        "Follow it: {{ tracking_url }}",
        "{{ shop_name }}: order {{ order_number }} is out for delivery today. {{ tracking_url }}"),
    M.DELIVERED: (
        "Order {{ order_number }} was delivered",
        "a parcel of your order {{ order_number }} was delivered. We hope you enjoy it.\n\n"
        "Something not right? You can start a return here: {{ portal_url }}",
        "{{ shop_name }}: order {{ order_number }} was delivered."),
    M.DELAYED: (
        "A delay with order {{ order_number }}",
        "{{ carrier }} reported a problem with a parcel of your order {{ order_number }}"
        "{% if reason %}: {{ reason }}{% endif %}. We are on it and will keep you posted.\n\n"
        "Follow it: {{ tracking_url }}",
        "{{ shop_name }}: a delay with order {{ order_number }}. We are on it: {{ tracking_url }}"),
    M.RETURN_RECEIVED: (
        "We received your return {{ return_number }}",
        "the items you sent back from order {{ order_number }} (return {{ return_number }}) have arrived. "
        "We check them and then refund you.",
        "{{ shop_name }}: we received your return {{ return_number }} of order {{ order_number }}."),
    M.REFUND_ISSUED: (
        "Refund of {{ amount }} for order {{ order_number }}",
        "we refunded {{ amount }} for your order {{ order_number }}. Depending on your bank it may take a few "
        "days to show on your statement.",
        "{{ shop_name }}: we refunded {{ amount }} for order {{ order_number }}."),
}
