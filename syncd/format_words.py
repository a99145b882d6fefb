"""The words that say how an interview happens, in many languages. Pure data.

:mod:`syncd.detect_format` looks for each family below in an interview's title, description
and location; the weights that turn what it finds into "in_person", "video", "phone" or
"unknown" are learned (``make train``), not set here. A family is vocabulary of a language
or the name of a kind of service, never a name taken from an example: adding a language is
adding its words to the families it has words for.

Every pattern is an alternation of literals, word-bounded where the script has word
boundaries, with no nested repetition, so a search costs time linear in the text.
"""

from __future__ import annotations

import re


def _words(*parts: str) -> re.Pattern[str]:
    """One case-insensitive pattern from alternatives written across several lines."""
    return re.compile("|".join(parts), re.I)


# Video meeting services, by name or by link host.
VIDEO_SERVICE = _words(
    r"\bzoom\b|zoom\.us|zoom\.com|\bgoogle\s*meet\b|meet\.google|\bmeet[- ]link|\bmeet\s+links?\b|"
    r"\b(?:on|via|na|por|pelo|over|sur|über|qua|lewat|through)\s+meet\b|^\s*meet\s*$|"
    r"microsoft\s+teams|ms\s+teams|teams\.microsoft|teams\.live|(?<!for\s)(?-i:\bTeams\b)|"
    r"^\s*teams\s*$|\bteams\s+(?:link|call|meeting|interview|invite|pe|üzerinden|linki)\b|"
    r"\b(?:on|via|over|per|über|sur|por|pelo|pela|na|w|через|qua|lewat|em|en|su|in|sobre)\s+teams\b|"
    r"\bwebex\b|webex\.com|"
    r"\bskype\b|whereby|bluejeans|gotomeeting|goto\s+meeting|\bchime\b|chime\.aws|jitsi|facetime|"
    r"whatsapp\s*(?:video|vídeo|vidéo)|واتساب\s*فيديو|zoho\s+meeting|ringcentral|\bvidyo|"
    r"\bjio\s*meet|\bgoogle\s+hangouts?|hangouts\.google|\bslack\s+huddle|"
    r"腾讯会议|騰訊會議|\bvoov\b|飞书|飛書|\bfeishu\b|\blark\s+meeting|钉钉|釘釘|dingtalk|\bwelink\b|"
    r"телемост|\btelemost|яндекс\s*телемост|\b줌\b|줌\s*링크|구글\s*밋|ズーム|\bwherebyl?\b")

# Interviewing platforms that always run as a video session, live or recorded (one-way).
VIDEO_PLATFORM = _words(
    r"hirevue|\bkarat\b|karat\.io|karat\.com|codesignal|coderpad|hackerrank\.com/interview|"
    r"hackerrank\s+interview|\bspark\s*hire\b|vidcruiter|\bwillo\b|modern\s*hire|\bsonru\b|"
    r"\bmyinterview\b|\bone[- ]way\s+video|on[- ]demand\s+video|recorded\s+video|"
    r"video\s+recorded|record\s+(?:your\s+)?answers|pre-?recorded|\blive\s+coding\b|"
    r"\blive[- ]interview\b|\bpair\s+programming\b")

# Words for video, a camera or a screen.
VIDEO_WORD = _words(
    r"\bvideo|\bvídeo|\bvidéo|videollamada|videochamada|videoconf|visioconf|\bvisio\b|"
    r"videogespr|videogesprek|videosamtal|videopuhelu|wideorozmow|\bwideo|видео|відео|"
    r"\bwebcam|\bcamera\b|\bcámara\b|\bcâmera\b|\bkamera\b|\bcaméra\b|카메라|カメラ|камер|"
    r"视频|視頻|視訊|ビデオ|화상|फ़?वीडियो|فيديو|مرئي|\bgörüntülü|\bvideo\s*call|\bvideocall")

# Somewhere other than a room: online, remote, virtual (an online test is no video call).
REMOTE_WORD = _words(
    r"\bonline\b|\bon-line\b|\bvirtual|\bvirtuel|\bvirtuell|\bremote\b|\bremotely\b|\bremoto\b|"
    r"\bremota\b|à\s+distance|\ba\s+distancia|\ba\s+distância|da\s+remoto|\ben\s+l[íi]nea\b|"
    r"\ben\s+ligne\b|\bçevrimiçi|\bçevrim\s+içi|trực\s+tuyến|\bdaring\b|\bzdaln|\bonlajn|"
    r"онлайн|дистанц|线上|線上|在线|在線|オンライン|リモート|온라인|비대면|\bweb\s+interview|"
    r"عن\s+بعد|أونلاين|اونلاين|\bऑनलाइन")

# Words for a telephone (a bare "call" is weaker: a video call is a call too).
PHONE_WORD = _words(
    r"\bphone\b|\bphoned?\b|\btelephon|\btel\b|\btel\.|\btelefon|\btelef[óo]n|\btéléphon|"
    r"\btelefone\b|\btelefonic|\btelefónic|\btelephonic|\bcelular\b|\bcell\b|\bcellphone|"
    r"\bmobile\b|\bmobil\b|\bhandy\b|\bcellulare\b|\bph\.?\s+screen|\bph\.?\s+int|"
    r"điện\s+thoại|電話|电话|전화|телефон|тел\.|تليفون|تلفون|هاتف|تلفن|\btelepon|\bponsel\b|"
    r"\bpuhelin|\btelefoon|टेलीफोन|फोन|फ़ोन|\bfone\b|\bτηλέφων|\bτηλεφων")

# Calling in many languages: a call, to ring, to phone.
CALL_WORD = _words(
    r"\bcalls?\b|\bcalling\b|\bring(?:s|ing)?\s+(?:me|you)\b|\banruf|\bappel\b|\bappels\b|"
    r"\bllamada\b|\bligação\b|\bchiamata\b|\bbellen\b|\bbelt\b|\bringer\b|\bringt\b|"
    r"\bsamtal\b|\bgespräch\s+am\s+telefon|\barama\b|\baramas|\bzvonek|\bзвонок|\bdzwon|"
    r"\bcuộc\s+gọi|\btelepon|\bcall\s+karenge|\bcall\s+aayega|\bmenelepon|通话|通話|통화|"
    r"مكالمة(?!\s*فيديو)")

# Someone will call the candidate: "will call you", "ruft mich an", "me llama", "позвонит".
WILL_CALL = _words(
    r"\b(?:will|to|'ll|shall|gonna)\s+(?:give\s+you\s+a\s+)?(?:call|phone|ring)\b|"
    r"\b(?:calls?|calling|phones?|rings?|ringing)\s+(?:you|me|my|your)\b|\bcall\s+you\s+at\b|"
    r"\b(?:she|he|they|recruiter|hr|who)\s+(?:will\s+|'ll\s+)?(?:calls?|calling|rings?|phones?)\b|"
    r"\b(?:calls?|calling|rings?)\s+(?:at|around|~)\s*\d|\bcalling\s+me\b|から[^。\n]{0,12}電話|"
    r"\bwe\s+will\s+call|\bruft\s+(?:mich|sie|dich|Sie)\b|\bruft\s+\w+\s+an\b|\bruft\s+an\b|"
    r"\bvous\s+appellera|\bvous\s+appelle|\bm['’]appelle|\bt['’]appelle|\bappellera\b|"
    r"\bte\s+llamar|\bme\s+llama|\bte\s+llama|\ble\s+llamar|\bllamar[áa]n?\b|"
    r"\bvai\s+(?:me\s+|te\s+)?ligar|\bliga-me\b|\bliga-te\b|\bligará\b|\bvão\s+ligar|"
    r"\bti\s+chiamer|\bla\s+chiamer|\bmi\s+chiam|\bchiamerà\b|\bbelt\s+(?:me|je|u)\b|"
    r"\bbelt\s+\w+\s+(?:om|op)\b|\bgaat\s+bellen|\bringer\s+(?:mig|dig|upp)|\bringer\b|"
    r"\bzadzwoni|\bdzwoni\b|\barayacak|\barar\b|\bпозвон|\bзвонит|\bперезвон|\bподзвон|"
    r"\bsẽ\s+gọi|\bgọi\s+(?:cho|lúc|điện)|\bakan\s+(?:telepon|menelepon|hubungi)|"
    r"打我|打给我|打給我|打过来|打過來|会打|會打|来电|來電|から電話|お電話|電話が来|연락\s*(?:온|드릴|줄)|"
    r"전화\s*(?:온|드릴|줄|할)|سيتصل|هيتصل|هتتصل|يتصل|تتصل|\bcall\s+karenge|\bcall\s+aayega|"
    r"\bcall\s+karegi|\bcall\s+karega|\bsoittaa\b|\bvolá\b|\bzavolá|\bθα\s+σας\s+καλέσ")

# A telephone number: seven digits or more, grouped the ways numbers are written.
PHONE_NUMBER = re.compile(r"(?<![\w/=.-])\+?\(?\d[\d\s().\-]{5,18}\d(?![\w/])")

# Street-address shapes: a number and a street word, a street word and a number, postcodes,
# and the forms of Polish, Indonesian, Turkish, Arabic, Vietnamese, Singaporean, Nordic,
# Russian, Chinese, Japanese and Korean addresses.
STREET_ADDRESS = (
    re.compile(r"\b\d+[a-z]?\s+(?:[\w.'-]+\s+){0,4}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|"
               r"Dr|Drive|Ln|Lane|Way|Pl|Place|Pkwy|Parkway|Ct|Court|Sq|Square|Plaza|Hwy|"
               r"Highway|Broadway|Terrace|Circle|Crescent|Motorway|ST|STREET|AVE|RD|BLVD|quai|rue)\b"),
    re.compile(r"(?<![a-zäöüß-])[a-zäöüß-]+(?:straße|strasse|str\.|allee|weg|platz|gasse|ring|damm|"
               r"ufer|straat|laan|gracht|plein|kade|vej|gatan|gata|veien|vägen|väljak|katu)\s*\d+",
               re.I),
    re.compile(r"(?i:\b(?:calle|c/|avenida|av\.|avda\.?|rue|boulevard|quai|via|viale|piazza|corso|"
               r"rua|praça|largo|paseo|plaza|carrer|rod\.|rodovia|estrada|travessa|alameda))\s+"
               r"(?:(?i:d[aeo]s?|del|de\s+la|du|della|dei|degli)\s+)?[A-ZÀ-ÖØ-Þ][\w'.-]*"
               r"(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'.-]*|d[aeo]s?|del|de|la|di|della|do)){0,4},?\s+\d+"),
    re.compile(r"[都道府県][^\s\d]{0,12}?[区市町村]|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|"
               r"\b\d{5}\s+[A-Z][\w-]+|\b\d{4}\s?[A-Z]{2}\s+[A-Z]|"
               r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|〒\s*\d{3}-\d{4}|(?<!\d)\d+(?:丁目|番)"),
    _words(r"\bul\.\s*\w|\bal\.\s+\w|\bjl\.\s*\w|\bjalan\s+\w|\bno[:.]\s*\d|\bkav\.\s*\d|"
           r"\bcd\.|\bcad\.|\bsk\.|\bmah\.|\bsok\.|\bcaddesi|\bsokak|\bbulvar|شارع|\bquận\b|"
           r"\bphường\b|\bđường\b|#\d{2}-\d{2}|\b\d+\s+tr\b|\bmnt\b|\bул\.|\bулица\b|\bпр-т\b|"
           r"\bпроспект\b|\bд\.\s*\d|(?<!\d)\d+(?:号|號|번지|번길)|(?<!\S)\S{1,12}로\s*\d"),
)

# Parts of a building, and the desk where visitors announce themselves.
PREMISES = _words(
    r"\bfloor\b|\bfl\b\.?|\d(?:st|nd|rd|th)\s+fl|\bétage\b|\bstock\b|\betage\b|\bOG\b|\bpiso\b|"
    r"\bplanta\b|\bpiano\b|\bpiętro|\bparter\b|\bpok\.|\bpokój|\bsala\b|\bsalle\b|\broom\b|"
    r"\braum\b|\bruum\b|\bsuite\b|\bbuilding\b|\bbldg\b|\bgebäude\b|\bbudyn|\bedificio\b|"
    r"\bprédio\b|\bgedung\b|\btòa\s+nhà|\btầng\b|\blt\.\s*\d|\blantai\b|\d\s*(?:층|階|楼|樓)|"
    r"\bkat\b|\bplan\s+\d|\breception|\breceptie|\brecepci|\breceção|"
    r"\brecepção|\brecepcj|\breceptionen|\bempfang|\baccueil\b|\blobby\b|\bpforte\b|\bportería|"
    r"\bportaria|前台|受付|接待|리셉션|안내\s*데스크|ресепшн|проходн|\bgüvenlik|\bsecurity\b|"
    r"\bvisitor|\bbesucher|\bvisiteur|\bvisitatori|\bbadge\b|\bbrama\b|\bgate\b|\bhall\b|"
    r"\bcampus\b|\bheadquarters\b|\bhq\b|\boffice\b|\boffices\b|\bbüro\b|\bbureau\b|"
    r"\boficina|\bescritório|\bkantoor|\bkontor|\bufficio|\bsede\b|\bbiuro|\bofis\b|"
    r"\bkantor\b|\bvăn\s+phòng|\bофис|本社|本部|总部|總部|オフィス|사옥|본사|المقر|الدور|الطابق|مكتب")

# Arriving somewhere: report to, ask for someone, sign in, bring papers, come early.
ARRIVAL = _words(
    r"\breport\s+to\b|\bask\s+for\b|\bcheck\s+in\b|\bsign\s+in\b|\bregister\s+at\b|"
    r"\barrive\b|\barrival\b|\bcome\s+by\b|\bcome\s+in\b|\bminutes\s+early\b|\bmin\s+early\b|"
    r"\bbring\s+(?:your\s+|a\s+|the\s+|2\s+|two\s+)?(?:id|photo|passport|licen[cs]e|resume|cv|"
    r"documents?|certificates?|copies|references|transcripts|driver)|\bdress\b|\bsuit\b|"
    r"\bparking\b|\bpark\s+(?:in|at|on)\b|\bmelden\s+(?:Sie\s+sich\s+)?(?:bei|am|an)\b|"
    r"\bfrag(?:en)?\s+nach\b|\bmitbringen|\bmit\s*bringen|\bausweis|\bpreguntar\s+por|"
    r"\bllevar\b|\bpresentarse|\blevar\b|\bperguntar\s+pel|\btrazer\b|\bportare\b|\bchiedere\s+d|"
    r"\bpresentarsi|\bmeenemen|\bvragen\s+naar|\bmelden\s+bij|\bapporte[rz]\b|\bdemander\b|"
    r"\bse\s+présenter|\bzabrać|\bzgłosić\s+się|\bspytać|\bgetir\b|\bunutma\b|\byanında|"
    r"\bбрать|\bвзять|\bспросить|\bприехать|\bприйти|\bbawa\b|\bdatang\b|\bmang\s+theo|"
    r"\bmang\s+\w+|\bta\s+med\b|\banmäl|\bkaasa\b|\bpahunchna|\ble\s+jaana|持参|지참|带上|"
    r"带身份证|提前|到着|도착|إحضار|هاتي|احضر|\bpasaport|\bpasaporte|\bpassport\b|\bpassaporto|"
    r"\bpaszport|\bпаспорт|\bdni\b|\bnric\b|\baadhaar|\bcnh\b|\bcccd\b|\bdowód|\bkimlik|"
    r"\bpersonalausweis|身份证|身分証|신분증|\bhard\s+hat|\bsteel\s+toe|\bscrubs\b|\buniform")

# Being there in person, said outright.
IN_PERSON_WORD = _words(
    r"\bin[- ]person\b|\bon[- ]?site\b|\bon\s+site\b|\bon[- ]campus\b|\bcampus\s+visit|"
    r"\bface[- ]to[- ]face\b|\bf2f\b|\bin\s+(?:the\s+)?office\b|\bat\s+(?:our|the|their)\s+"
    r"(?:office|offices|store|branch|site|plant|hub|warehouse|restaurant|shop|clinic|hospital)\b|"
    r"\bin\s+the\s+branch\b|\bwalk[- ]in\b|\bvor\s+ort\b|\bpers[öo]nlich|\bpräsenz|"
    r"\bpresencial|\bpresencialmente|\ben\s+personne\b|\bsur\s+place\b|\bsur\s+site\b|"
    r"\bdans\s+nos\s+locaux|\bin\s+presenza\b|\bdi\s+persona\b|\bin\s+sede\b|\bop\s+kantoor|"
    r"\bop\s+locatie|\bop\s+het\s+kantoor|\bpersoonlijk|\bpå\s+plats|\bpå\s+kontoret|"
    r"\bkohapeal|\bkontoris\b|\bosobiście|\bstacjonarn|\bna\s+miejscu|\byüz\s+yüze|"
    r"\btrực\s+tiếp|\btatap\s+muka|\bdi\s+kantor|现场|現場|线下|線下|対面|来社|ご来社|訪問|"
    r"방문|대면|\bлично\b|\bочно|\bна\s+месте|\bв\s+офисе|حضوري|شخصية|\bव्यक्तिगत|"
    r"\bin\s+the\s+store\b|\bat\s+the\s+jobsite|\bon\s+the\s+spot\b")

# A trial at the workplace: a trial shift, a working interview, an assessment centre.
TRIAL = _words(
    r"\btrial\s+(?:shift|day|run)|\bworking\s+interview|\bjob\s+experience\s+day|"
    r"\bassessment\s+cent(?:re|er)|\bassessment\s+day|\bprobetag|\bprobearbeit|\bschnupper|"
    r"\bturno\s+de\s+(?:prueba|experiência|trial)|\bdia\s+de\s+experiência|\bdía\s+de\s+prueba|"
    r"\bjournée\s+d['’]essai|\bgiornata\s+di\s+prova|\bproefdag|\bmeeloopdag|\bprovdag|"
    r"\bdeneme\s+günü|\bjazda\s+(?:próbna|testowa)|\bdzień\s+próbny|\bprova\s+de\s+cozinha|"
    r"\bprova\s+pratica|\bpratik\s+sınav|\bhands-on\s+task|\bpractical\s+(?:test|task|skills)|"
    r"\bkitchen\s+trial|\bstage\s+@|\bdemo\s+lesson|\bteaching\s+demo|\bgroup\s+exercise|"
    r"试工|試工|体験入店|職場体験|실습\s*면접|يوم\s+التجربة|وردية\s+تجريبية")

# A test, assessment or exercise the candidate does (online ones are no call at all).
TEST_WORD = _words(
    r"\bassessment\b|\bOA\b|\btest\b|\btests\b|\bteste\b|\btesti\b|\btestu\b|\bprueba\b|"
    r"\bexamen\b|\bexame\b|\bexam\b|\besame\b|\bprova\b|\bpsikotes|\bpsychometric|\baptitude|"
    r"\bkodprov|\bprov\b|\bcoding\s+challenge|\btake[- ]home|\bhome\s+assignment|\bexercise\b|"
    r"\bquiz\b|\bmcqs?\b|\bsjt\b|\bsituational\s+judg|\bpymetrics|\bcodility|\bhackerrank|"
    r"\btestgorilla|\bshl\b|\bmettl|\bbài\s+test|\bbài\s+case|\bbài\s+kiểm\s+tra|\bsınav|"
    r"\bsınavı|\bтест|\bзадани|\bаттестац|测评|測評|笔试|筆試|テスト|適性検査|필기|인적성|코딩\s*테스트|"
    r"اختبار|\bपरीक्षा|\bAufgabe|\bEinstellungstest|\bOnline-Test|\bcase\s+study\s+scritto|"
    r"\bprova\s+scritta|\bschriftlich|\bwritten\s+(?:test|exercise|case)")

# Done alone before a deadline, not at a time with someone.
SELF_PACED = _words(
    r"\bcomplete\s+(?:it\s+)?(?:by|before|within)\b|\bdue\s+(?:by|on|before)?\b|\bdeadline\b|"
    r"\bvalid\s+(?:for|until|till)\b|\blink\s+(?:is\s+)?valid|\bexpires?\b|\bsubmit\b|"
    r"\bfile\s+by\b|\bunproctored\b|\bat\s+your\s+own\s+pace|\bany\s*time\s+before|"
    r"\bbis\s+(?:Sonntag|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag)|\bgültig\b|"
    r"\babschicken|\beinreichen|\bhasta\s+el\b|\bentregar\b|\bválido\s+até|\bvalido\s+fino|"
    r"\bentro\s+(?:il|le|venerd|domenica)|\bconsegnare|\bgiltig\s+till|\bhạn\s+chót|\btrước\s+\d+h|"
    r"\bkerjakan\s+sebelum|\bsebelum\s+\w+\s+\d|\btamamlanmal|\b'?a\s+kadar\b|\bдо\s+(?:воскресенья|"
    r"пятницы|конца)|截止|までに|마감|\bmust\s+be\s+done\s+by|\bdo\s+(?:it\s+)?tonight|"
    r"\bdo\s+before|\bbefore\s+(?:the\s+)?deadline|\bretakes?\b")

# Nothing decided yet: the format or the place is still to come.
UNDECIDED = _words(
    r"\bto\s+be\s+confirmed|\bto\s+be\s+(?:decided|determined|announced)|\btbc\b|\btbd\b|"
    r"\btba\b|\bto\s+follow\b|\bwill\s+be\s+sent|\bseparate\s+email|\bdetails\s+to\s+come|"
    r"\bwaiting\s+on\s+details|\bnot\s+yet\s+(?:said|decided|confirmed|known|shared)|"
    r"\bhaven['’]?t\s+(?:yet\s+)?(?:said|shared|decided|confirmed)|\bhasn['’]?t\s+(?:yet\s+)?"
    r"(?:said|shared|decided|confirmed)|\bstill\s+(?:open|to\s+be)|\bwhether\b|"
    r"\bonsite\s+(?:vs\.?|or)\s+(?:virtual|remote)|\b(?:virtual|remote)\s+(?:vs\.?|or)\s+onsite|"
    r"\bin\s+person\s+or\s+(?:on\s+)?(?:video|zoom|teams|virtual)|\bwill\s+email\s+the\b|"
    r"\bnoch\s+offen|\bwird\s+noch\s+mitgeteilt|\bpor\s+confirmar|\ba\s+confirmar|"
    r"\bà\s+confirmer|\bà\s+préciser|\bda\s+confermare|\bda\s+definire|\bnog\s+niet\s+bekend|"
    r"\bwird\s+nachgereicht|\bсообщат\s+позже|待定|未定|추후\s*안내")

# Locations that name no place at all.
NO_PLACE = re.compile(
    r"^\W*(?:tbd|tba|tbc|n/?a|none|-+|\?+|see\s+(?:description|below|invite|email|details)|"
    r"details\s+to\s+follow|home|my\s+place|at\s+home|private|personal)\W*$", re.I)

# A link of any kind.
URL = re.compile(r"https?://|\bwww\.|(?<![\w-])[\w-]+\.(?:com|io|us|net|org)/", re.I)
