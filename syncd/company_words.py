"""Word tables for :mod:`syncd.detect_company`: what a company name is not, and its legal forms.

Vocabulary of languages only (the words for interview, call, round, office...): nothing here
names a company. The interview, step and job words of :mod:`syncd.detect_words` count too.
"""

from __future__ import annotations

import re

# Title and text words that are never (part of) the hiring company's name, by language.
NOT_NAME = frozenset(
    """interview interviews interviewing int int. intro call calls chat screen screening round
    rounds final finals onsite on-site virtual online remote video phone tel tel. telephone
    zoom teams meet meeting webex skype whatsapp hangout f2f panel loop superday
    coffee lunch breakfast dinner conversation session sync catch-up catchup hm hr rh
    recruiter recruiters recruiting recruitment talent acquisition hiring manager mgr team
    technical tech coding case study test tests assessment exercise presentation review
    demo take-home homework task challenge trial shift day visit tour offer
    job role position opening vacancy req application applied candidate
    first second third fourth fifth 1st 2nd 3rd 4th 5th next initial last new
    updated invitation invite reminder confirmed confirmation rescheduled reschedule moved
    cancelled canceled tentative fw fwd re reagendado reprogramada jadwal baru
    my your our the a an with w w/ and or for at from to of in on by via via: about re:
    me you him her us them hi hello dear
    part process stage step steps etap etapa fase tahap
    prep preparation practice mock busy hold block blocker ooo focus time errand personal
    private tbd tba office hq headquarters campus building floor suite room lobby reception
    entrevista entrevue entretien embauche entrevistas colloquio colloqui intervista
    gespräch gesprach vorstellungsgespräch bewerbungsgespräch kennenlernen zweitgespräch
    sollicitatie sollicitatiegesprek intervju intervjuu haastattelu rozmowa kwalifikacyjna
    rekrutacyjna telefoniczna rekrutacji rekrutacja mülakat mülakatı mulakat görüşme
    görüşmesi wawancara phỏng vấn собеседование собеседования интервью співбесіда
    telefoninterview telefonintervju telefonisches persönliches erstes zweites technisches
    presencial presenciale virtuale telefonico telefonica telefónica telefônica telefone
    videochamada videollamada videocolloquio videogespräch visio appel llamada ligação
    prova prueba teste testi sınav tes psikotes ujian kirjalik scritta scritto pisemny
    dia día jour journée giorno tag dag dzień gün hari
    con com chez bei hos presso para pour per für voor met mit avec und y e et og och i
    du des le la les el los las il lo gli der die das den dem het een ein eine
    user gm ceo cto cfo vp svp director head lead cho ke dengan
    deep dive deep-dive past experience life story values culture fit behavioral behavioural
    system design architecture whiteboard pairing debrief onboarding orientation
    scheduled invited invitation einladung undangan convite convocatoria convocation invito
    zaproszenie davet приглашение uitnodiging inbjudan kutsu confirmación bestätigung
    mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday
    jan feb mar apr jun jul aug sep sept oct nov dec january february march april may june
    july august september october november december montag dienstag mittwoch donnerstag
    freitag lundi mardi mercredi jeudi vendredi lunes martes miércoles jueves viernes
    segunda terça quarta quinta sexta when where who what date time duration location
    senior sr junior jr staff principal associate assistant intern internship trainee
    graduate apprentice apprenticeship entry level grad new programme program residency
    fellowship clerkship postdoc faculty search manager engineer developer designer analyst
    specialist consultant coordinator representative executive officer clerk cashier
    barista crew member associate driver nurse teacher technician operator agent host
    server cook chef bartender helper handler warehouse store retail sales customer service
    support operations marketing finance product software data backend frontend full-stack
    fullstack mobile ios android cloud security infra infrastructure platform research
    technik teknik técnica técnico tecnico technique technisch technische teknisk
    structured oral board live recorded one-way async asynchronous group individual
    client klient cliente kunde contract freelance freelancer temp temporary part-time
    full-time seasonal paid unpaid remote hybrid local store branch site plant
    面试 面接 면접 인터뷰 一面 二面 三面 终面 复试 初试 笔试 电话 视频 线上 现场 岗位 职位
    工程师 经理 开发 产品 设计师 实习 实习生 后端 前端 算法 一次 二次 最終 最终 面談 選考
    ご案内 案内 のご案内 オンライン 採用 アルバイト エンジニア 担当 전화 화상 기술 최종 인성
    임원 1차 2차 3차 안내 개발자 인턴 신입 경력 직무 채용 지원 관리자 매니저
    مقابلة شخصية هاتفية عمل فيديو عبر دعوة لمقابلة وظيفة محلل مطور مبرمج مصمم مشرف موظف
    فني مهندس أخصائي بيانات مبيعات
    इंटरव्यू साक्षात्कार टेलीफ़ोनिक वॉक-इन
    inside outside sub substitute real rn lpn cna po sde swe pm apm ops walk-in trial
    склад стажер стажировка стажёр вакансия офис 파트너 물류센터 매장 본사 지점 センター
    本社 店舗 支店 总部 门店 iş staj stajyer magang uzman uzmanı sorumlusu müdürü
    腾讯会议 騰訊會議 飞书 飛書 钉钉 釘釘 会议 会議 视频会议
    chuyên viên kỹ sư thực tập sinh nhân
    engineering engenharia ingeniería ingenieria ingegneria ingénierie vertrieb einkauf
    ventas vendas vendite ventes compras acquisti achats inkoop zakupy finanzas finanças
    finanza recursos humanos risorse umane ressources humaines personalabteilung jurídico
    legal dados datos produto producto prodotto operaciones operações operazioni
    minute minutes min mins hour hours minuten stunde stunden minuto minutos heure heures
    atención atencion atendimento""".split()
)

# Connector words in a title, by what they say about the name that follows them.
CONNECTORS = {
    "at": "at", "@": "at", "bei": "at", "chez": "at", "hos": "at", "à": "at", "en": "at",
    "presso": "at", "в": "at", "у": "at", "при": "at", "tại": "at", "di": "at", "na": "at",
    "op": "at", "ở": "at", "in": "at",
    "with": "with", "w/": "with", "w": "with", "met": "with", "mit": "with", "con": "with",
    "com": "with", "avec": "with", "z": "with", "с": "with", "ile": "with", "với": "with",
    "dengan": "with", "med": "with", "between": "with", "<>": "with", "x": "with",
    "via": "via", "über": "via", "through": "via", "tramite": "via", "przez": "via",
    "for": "for", "für": "for", "pour": "for", "para": "for", "voor": "for", "per": "for",
    "from": "from", "von": "from", "from:": "from",
}

# Legal forms dropped from a name, as the corpora's labels do ("Siemens AG" -> "Siemens").
# Forms that stay part of the name in everyday use (PT, AS, Grupo) are not here.
LEGAL_TRAILING = re.compile(
    r"(?:[\s,]+(?:GmbH(?:\s*&\s*Co\.?\s*KG)?|AG|SE|KG|Inc\.?|Incorporated|LLC|L\.L\.C\.|Ltd\.?|"
    r"LLP|PLLC|P\.C\.|Limited|Corp\.?|Corporation|plc|PLC|S\.A\.?|S\.A\.S\.?|SAS|S\.p\.A\.?|"
    r"SpA|S\.r\.l\.?|Srl|S\.L\.?|B\.V\.?|BV|N\.V\.?|NV|K\.K\.?|KK|Pty\.?(?:\s+Ltd\.?)?|Co\.,?\s*Ltd\.?|"
    r"sp\.\s*z\s*o\.\s*o\.?|&\s*Co\.?))+\s*$")
LEGAL_CJK = re.compile(r"^(?:株式会社|㈱|有限会社|주식회사|㈜)\s*|\s*(?:株式会社|㈱|有限会社|"
                       r"技术有限公司|科技有限公司|有限公司|股份有限公司|주식회사|㈜)$")
# A legal form next to a run of words says that run is a company: after it, or before it.
LEGAL_AFTER = re.compile(
    r"^(?:GmbH|AG|SE|Inc\.?|LLC|Ltd\.?|Limited|Corp\.?|plc|S\.A\.?|SA|SAS|S\.p\.A\.?|Srl|"
    r"S\.r\.l\.?|B\.V\.?|BV|N\.V\.?|NV|AS|AB|Oy|ApS|A/S|KK|Pty|sp\.)$")
LEGAL_BEFORE = re.compile(r"^(?:PT|CV|Grupo|Gruppo|Groupe|Studio|Fundación|Fundação|Banco)$")  # as below
CJK_COMPANY = re.compile(
    r"(?:株式会社|㈱)\s*(?P<a>[^\s、。，（）()【】「」・/|:：]{1,20})|"
    r"(?P<b>[^\s、。，（）()【】「」・/|:：]{1,20}?)(?:株式会社|技术有限公司|科技有限公司|有限公司|公司)")
# Job titles in scripts without capitals end in these: 硬件工程师, 产品经理, 서버 개발자.
ROLE_SUFFIX = re.compile(r"(?:工程师|经理|设计师|专员|助理|实习生|开发|エンジニア|担当|デザイナー|"
                         r"개발자|관리자|매니저|디자이너|엔지니어|운영관리자)$")
# Nouns that organisations put in their names, by language: a name that ends in one is whole.
ORG_WORDS = frozenset(
    """group grupo gruppo groupe gruppe holding holdings company co corporation university
    universidad universidade università université universität universitet uniwersytet
    üniversitesi college school academy institute institut instituto istituto hospital
    hôpital hospitale ospedale krankenhaus klinik clinic clinique clínica clinica health
    healthcare care medical pharma farma pharmacy pharmacie apotheke bank banco banque banca
    bankası insurance assicurazioni seguros versicherung services servicios serviços
    solutions soluciones systems technologies technology teknologi tecnologia labs lab
    studio studios agency agencia agence agenzia partners associates consulting logistics
    logistik logistica logística energy energia energie energía foods food restaurants
    hospitality hotels hotel resort resorts airlines airways motors automotive robotics
    software digital media news press post department departamento
    ministry ministerio council county city district authority office police fire
    gemeente kommun kommune stadt gemeinde comune ayuntamiento municipio município mairie
    gmina belediyesi foundation fundación fundação stiftung society association federation union library
    libraries museum trust""".split())

# Words for a branch, store, site, office or headquarters, by language: a brand followed by
# them names one of its places ("<brand> Regional Office", "<brand> Genel Müdürlük"), and the
# company is the brand. Words that begin a name ("Bank of ...") are not here.
BRANCH_WORDS = frozenset(
    """branch store shop outlet flagship site plant warehouse depot office offices hq
    headquarters campus location regional local head main
    distribution fulfilment fulfillment factory facility entrance gate building bldg tower hub
    admin annex wing
    eingang gebäude tor entrée bâtiment entrada edificio ingresso edificio ingang gebouw
    filiale zweigstelle niederlassung werk standort zentrale lager markt geschäft
    magasin succursale siège entrepôt usine agence boutique
    sucursal tienda almacén oficina sede central planta fábrica
    filial loja armazém escritório fábrica
    negozio magazzino ufficio stabilimento punto vendita
    vestiging winkel magazijn kantoor hoofdkantoor
    butik varuhus kontor huvudkontor
    oddział sklep magazyn biuro centrala
    şube mağaza depo genel müdürlük merkez bölge ofis fabrika
    cửa hàng chi nhánh văn phòng kho trụ sở
    cabang kantor pusat gudang toko
    филиал магазин склад офис отделение представительство
    فرع متجر مكتب مستودع المقر
    शाखा कार्यालय ऑफिस
    지점 매장 본사 공장 센터 물류센터 영업소 사무소
    本社 支店 支社 店舗 営業所 事業所 工場 倉庫 本店 分公司 门店 总部 仓库 工厂 分店 办事处""".split())
# How compound words and words of scripts without spaces end when they name a place of
# business or a way in: "Ausbildungszentrum", "Haupteingang", "渋谷公園通り店", "강남점".
BRANCH_ENDINGS = ("zentrum", "lager", "filiale", "niederlassung", "zentrale", "werk", "eingang",
                  "gebäude", "kontoret", "lagret", "店", "支店", "営業所", "工場", "分公司", "分店",
                  "门店", "점", "지점", "센터")
# Country names as companies append them to a brand ("<brand> Việt Nam", "<brand> Polska").
COUNTRIES = frozenset(
    """usa us uk america canada mexico méxico brasil brazil argentina chile colombia peru perú
    españa spain france deutschland germany österreich austria schweiz suisse switzerland
    italia italy nederland netherlands belgië belgique belgium danmark denmark norge norway
    sverige sweden suomi finland polska poland česko czechia türkiye turkey ireland
    portugal hellas greece românia romania magyarország hungary россия russia україна ukraine
    india bharat pakistan bangladesh indonesia malaysia singapore philippines thailand
    vietnam việt nam japan 日本 china 中国 korea 한국 australia zealand africa nigeria kenya
    egypt مصر السعودية الإمارات uae ksa emea apac latam europe asia""".split())
# Forms that stand before a name (LEGAL_BEFORE's words): a short name may leave them out.
LEGAL_BEFORE_WORDS = frozenset("PT CV Grupo Gruppo Groupe Studio Fundación Fundação Banco".split())
# Words of NOT_NAME that end many companies' names too ("<name> Tech", "<name> Coffee"): a
# longer name the event spells may add them.
NAME_NOUNS = frozenset("""tech coffee group data digital software cloud security mobile
    finance media construction builders engineering dental bakery music mobility motors
    entertainment games gaming pharmaceuticals therapeutics biotech capital ventures
    architects architekten arquitectos architetti engineers lawyers attorneys advocaten
    avocats abogados accountants dentistry""".split())
# Words for a building that come before its name in an address ("Tòa nhà <name>", "Gedung
# <name>", "Edificio <name>"): the name is what follows.
BUILDING_BEFORE = frozenset("""tòa nhà toà gedung menara wisma edificio edifício palazzo
    immeuble bâtiment building""".split())
