"""Français."""

from baton.notifications.moments import Moment as M

GREETING = "Bonjour{% if customer_name %} {{ customer_name }}{% endif %},"
FOOTER = ("--\n{{ shop_name }}\nVous recevez ce message au sujet de votre commande {{ order_number }}. "
          "Choisissez les messages que vous recevez : {{ preferences_url }}")

TEXTS = {
    M.ORDER_CONFIRMED: (
        "Votre commande {{ order_number }} est confirmée",
        "merci pour votre commande {{ order_number }} d'un montant de {{ order_total }}. Nous vous préviendrons "
        "dès qu'elle sera en route.\n\nSuivre votre commande : {{ tracking_url }}",
        "{{ shop_name }} : commande {{ order_number }} confirmée ({{ order_total }}). Suivi : {{ tracking_url }}"),
    M.PAYMENT_PROBLEM: (
        "Action requise : le paiement de la commande {{ order_number }}",
        "le paiement de {{ amount }} pour votre commande {{ order_number }} n'a pas abouti. Merci de payer à "
        "nouveau, par exemple avec une autre carte : {{ portal_url }}\n\nVotre commande attend jusque-là.",
        "{{ shop_name }} : le paiement de la commande {{ order_number }} n'a pas abouti. Payer à nouveau : "
        "{{ portal_url }}"),
    M.READY_FOR_PICKUP: (
        "La commande {{ order_number }} est prête à être retirée",
        "votre commande {{ order_number }} vous attend à {{ pickup_location }}. Munissez-vous de votre numéro de "
        "commande.",
        "{{ shop_name }} : la commande {{ order_number }} est prête à être retirée à {{ pickup_location }}."),
    M.SHIPPED: (
        "La commande {{ order_number }} est en route",
        "un colis de votre commande {{ order_number }} est parti avec {{ carrier }}"
        "{% if tracking_number %} (numéro de suivi {{ tracking_number }}){% endif %}.\n\n"
        "Suivre le colis : {{ tracking_url }}",
        "{{ shop_name }} : commande {{ order_number }} expédiée avec {{ carrier }}. Suivi : {{ tracking_url }}"),
    M.OUT_FOR_DELIVERY: (
        "La commande {{ order_number }} arrive aujourd'hui",
        "{{ carrier }} est en train de livrer un colis de votre commande {{ order_number }} : il devrait arriver "
        "aujourd'hui.\n\nSuivre le colis : {{ tracking_url }}",
        "{{ shop_name }} : la commande {{ order_number }} est en cours de livraison. {{ tracking_url }}"),
    M.DELIVERED: (
        "La commande {{ order_number }} a été livrée",
        "un colis de votre commande {{ order_number }} a été livré. Nous espérons qu'il vous plaira.\n\n"
        "Un problème ? Vous pouvez demander un retour ici : {{ portal_url }}",
        "{{ shop_name }} : la commande {{ order_number }} a été livrée."),
    M.DELAYED: (
        "Un retard pour la commande {{ order_number }}",
        "{{ carrier }} signale un problème avec un colis de votre commande {{ order_number }}"
        "{% if reason %} : {{ reason }}{% endif %}. Nous nous en occupons et vous tiendrons informé.\n\n"
        "Suivre le colis : {{ tracking_url }}",
        "{{ shop_name }} : un retard pour la commande {{ order_number }}. Nous nous en occupons : "
        "{{ tracking_url }}"),
    M.RETURN_RECEIVED: (
        "Nous avons reçu votre retour {{ return_number }}",
        "les articles renvoyés de la commande {{ order_number }} (retour {{ return_number }}) sont arrivés. "
        "Nous les vérifions, puis nous vous remboursons.",
        "{{ shop_name }} : retour {{ return_number }} de la commande {{ order_number }} reçu."),
    M.REFUND_ISSUED: (
        "Remboursement de {{ amount }} pour la commande {{ order_number }}",
        "nous avons remboursé {{ amount }} pour votre commande {{ order_number }}. Selon votre banque, cela peut "
        "prendre quelques jours avant d'apparaître sur votre relevé.",
        "{{ shop_name }} : {{ amount }} remboursés pour la commande {{ order_number }}."),
}
