"""Español."""

from baton.notifications.moments import Moment as M

GREETING = "Hola{% if customer_name %} {{ customer_name }}{% endif %}:"
FOOTER = ("--\n{{ shop_name }}\nRecibe este mensaje por su pedido {{ order_number }}. "
          "Elija qué mensajes recibe: {{ preferences_url }}")

TEXTS = {
    M.ORDER_CONFIRMED: (
        "Su pedido {{ order_number }} está confirmado",
        "gracias por su pedido {{ order_number }} por {{ order_total }}. Le avisaremos en cuanto esté en "
        "camino.\n\nSiga su pedido: {{ tracking_url }}",
        "{{ shop_name }}: pedido {{ order_number }} confirmado ({{ order_total }}). Sígalo: {{ tracking_url }}"),
    M.PAYMENT_PROBLEM: (
        "Acción necesaria: el pago del pedido {{ order_number }}",
        "el pago de {{ amount }} de su pedido {{ order_number }} no se ha completado. Por favor, pague de nuevo, "
        "por ejemplo con otra tarjeta: {{ portal_url }}\n\nSu pedido espera hasta entonces.",
        "{{ shop_name }}: el pago del pedido {{ order_number }} no se ha completado. Pague de nuevo: "
        "{{ portal_url }}"),
    M.READY_FOR_PICKUP: (
        "El pedido {{ order_number }} está listo para recoger",
        "su pedido {{ order_number }} está listo para recoger en {{ pickup_location }}. Traiga su número de "
        "pedido.",
        "{{ shop_name }}: el pedido {{ order_number }} está listo para recoger en {{ pickup_location }}."),
    M.SHIPPED: (
        "El pedido {{ order_number }} está en camino",
        "un paquete de su pedido {{ order_number }} ha salido con {{ carrier }}"
        "{% if tracking_number %} (número de seguimiento {{ tracking_number }}){% endif %}.\n\n"
        "Sígalo: {{ tracking_url }}",
        "{{ shop_name }}: pedido {{ order_number }} enviado con {{ carrier }}. Sígalo: {{ tracking_url }}"),
    M.OUT_FOR_DELIVERY: (
        "El pedido {{ order_number }} llega hoy",
        "{{ carrier }} está repartiendo un paquete de su pedido {{ order_number }}: debería llegar hoy.\n\n"
        "Sígalo: {{ tracking_url }}",
        "{{ shop_name }}: el pedido {{ order_number }} está en reparto hoy. {{ tracking_url }}"),
    M.DELIVERED: (
        "El pedido {{ order_number }} ha sido entregado",
        "un paquete de su pedido {{ order_number }} ha sido entregado. Esperamos que lo disfrute.\n\n"
        "¿Algo no está bien? Puede solicitar una devolución aquí: {{ portal_url }}",
        "{{ shop_name }}: el pedido {{ order_number }} ha sido entregado."),
    M.DELAYED: (
        "Un retraso con el pedido {{ order_number }}",
        "{{ carrier }} informa de un problema con un paquete de su pedido {{ order_number }}"
        "{% if reason %}: {{ reason }}{% endif %}. Nos ocupamos de ello y le mantendremos informado.\n\n"
        "Sígalo: {{ tracking_url }}",
        "{{ shop_name }}: un retraso con el pedido {{ order_number }}. Nos ocupamos: {{ tracking_url }}"),
    M.RETURN_RECEIVED: (
        "Hemos recibido su devolución {{ return_number }}",
        "los artículos devueltos del pedido {{ order_number }} (devolución {{ return_number }}) han llegado. "
        "Los revisamos y después le reembolsamos.",
        "{{ shop_name }}: hemos recibido la devolución {{ return_number }} del pedido {{ order_number }}."),
    M.REFUND_ISSUED: (
        "Reembolso de {{ amount }} del pedido {{ order_number }}",
        "le hemos reembolsado {{ amount }} de su pedido {{ order_number }}. Según su banco, puede tardar unos "
        "días en aparecer en su extracto.",
        "{{ shop_name }}: reembolsados {{ amount }} del pedido {{ order_number }}."),
}
