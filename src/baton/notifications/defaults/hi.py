"""हिन्दी (Hindi)."""

from baton.notifications.moments import Moment as M

GREETING = "नमस्ते{% if customer_name %} {{ customer_name }}{% endif %},"
FOOTER = ("--\n{{ shop_name }}\nआपको यह संदेश आपके ऑर्डर {{ order_number }} के कारण मिला है। "
          "कौन से संदेश मिलें, यह यहाँ चुनें: {{ preferences_url }}")

TEXTS = {
    M.ORDER_CONFIRMED: (
        "आपका ऑर्डर {{ order_number }} पक्का हो गया है",
        "{{ order_total }} के आपके ऑर्डर {{ order_number }} के लिए धन्यवाद। जैसे ही यह रवाना होगा, हम आपको "
        "बताएँगे।\n\nअपना ऑर्डर ट्रैक करें: {{ tracking_url }}",
        "{{ shop_name }}: ऑर्डर {{ order_number }} पक्का ({{ order_total }})। ट्रैक करें: {{ tracking_url }}"),
    M.PAYMENT_PROBLEM: (
        "ज़रूरी: ऑर्डर {{ order_number }} का भुगतान",
        "आपके ऑर्डर {{ order_number }} के लिए {{ amount }} का भुगतान पूरा नहीं हुआ। कृपया दोबारा भुगतान करें, "
        "जैसे किसी दूसरे कार्ड से: {{ portal_url }}\n\nतब तक आपका ऑर्डर रुका रहेगा।",
        "{{ shop_name }}: ऑर्डर {{ order_number }} का भुगतान पूरा नहीं हुआ। दोबारा भुगतान करें: {{ portal_url }}"),
    M.READY_FOR_PICKUP: (
        "ऑर्डर {{ order_number }} लेने के लिए तैयार है",
        "आपका ऑर्डर {{ order_number }} {{ pickup_location }} पर लेने के लिए तैयार है। कृपया अपना ऑर्डर नंबर "
        "साथ लाएँ।",
        "{{ shop_name }}: ऑर्डर {{ order_number }} {{ pickup_location }} पर लेने के लिए तैयार है।"),
    M.SHIPPED: (
        "ऑर्डर {{ order_number }} रवाना हो गया है",
        "आपके ऑर्डर {{ order_number }} का एक पार्सल {{ carrier }} के साथ रवाना हो गया है"
        "{% if tracking_number %} (ट्रैकिंग नंबर {{ tracking_number }}){% endif %}।\n\n"
        "ट्रैक करें: {{ tracking_url }}",
        "{{ shop_name }}: ऑर्डर {{ order_number }} {{ carrier }} से भेजा गया। ट्रैक करें: {{ tracking_url }}"),
    M.OUT_FOR_DELIVERY: (
        "ऑर्डर {{ order_number }} आज पहुँचेगा",
        "{{ carrier }} आज आपके ऑर्डर {{ order_number }} का पार्सल पहुँचा रहा है।\n\n"
        "ट्रैक करें: {{ tracking_url }}",
        "{{ shop_name }}: ऑर्डर {{ order_number }} आज डिलीवरी के लिए निकला है। {{ tracking_url }}"),
    M.DELIVERED: (
        "ऑर्डर {{ order_number }} पहुँच गया है",
        "आपके ऑर्डर {{ order_number }} का एक पार्सल पहुँच गया है। आशा है आपको पसंद आएगा।\n\n"
        "कुछ ठीक नहीं है? यहाँ वापसी शुरू करें: {{ portal_url }}",
        "{{ shop_name }}: ऑर्डर {{ order_number }} पहुँच गया है।"),
    M.DELAYED: (
        "ऑर्डर {{ order_number }} में देरी",
        "{{ carrier }} ने आपके ऑर्डर {{ order_number }} के एक पार्सल में समस्या बताई है"
        "{% if reason %}: {{ reason }}{% endif %}। हम इस पर काम कर रहे हैं और आपको बताते रहेंगे।\n\n"
        "ट्रैक करें: {{ tracking_url }}",
        "{{ shop_name }}: ऑर्डर {{ order_number }} में देरी। हम इस पर काम कर रहे हैं: {{ tracking_url }}"),
    M.RETURN_RECEIVED: (
        "आपकी वापसी {{ return_number }} हमें मिल गई है",
        "ऑर्डर {{ order_number }} से लौटाया गया सामान (वापसी {{ return_number }}) हमें मिल गया है। हम इसकी "
        "जाँच करके आपको पैसे वापस करेंगे।",
        "{{ shop_name }}: ऑर्डर {{ order_number }} की वापसी {{ return_number }} मिल गई है।"),
    M.REFUND_ISSUED: (
        "ऑर्डर {{ order_number }} के लिए {{ amount }} की वापसी",
        "हमने आपके ऑर्डर {{ order_number }} के लिए {{ amount }} वापस कर दिए हैं। आपके बैंक के अनुसार इसे आपके "
        "खाते में दिखने में कुछ दिन लग सकते हैं।",
        "{{ shop_name }}: ऑर्डर {{ order_number }} के लिए {{ amount }} वापस किए गए।"),
}
