import type { CodePageName } from '@printermaster/protocol';

/**
 * The characters of bytes 0x80–0xFF of each code page, in byte order, 16 to a row; bytes 0x20–0x7E
 * are ASCII in all of them. U+FFFD marks a byte the table leaves undefined: the encoder never sends
 * one, and the decoder shows it as U+FFFD. Generated from iconv-lite's tables and checked against
 * @point-of-sale/codepage-encoder's (they agree on every byte); the tests also check 866, 1251 and
 * 1253 against the WHATWG decoders built into Node (whose windows-1252 is Latin-1, so no help there).
 */
export const HIGH_HALVES: Readonly<Record<CodePageName, readonly string[]>> = {
  cp437: [
    'ÇüéâäàåçêëèïîìÄÅ',
    'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ',
    'áíóúñÑªº¿⌐¬½¼¡«»',
    '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐',
    '└┴┬├─┼╞╟╚╔╩╦╠═╬╧',
    '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀',
    'αßΓπΣσµτΦΘΩδ∞φε∩',
    '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
  ],
  cp850: [
    'ÇüéâäàåçêëèïîìÄÅ',
    'ÉæÆôöòûùÿÖÜø£Ø×ƒ',
    'áíóúñÑªº¿®¬½¼¡«»',
    '░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐',
    '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤',
    'ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀',
    'ÓßÔÒõÕµþÞÚÛÙýÝ¯´',
    '\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0',
  ],
  cp858: [
    'ÇüéâäàåçêëèïîìÄÅ',
    'ÉæÆôöòûùÿÖÜø£Ø×ƒ',
    'áíóúñÑªº¿®¬½¼¡«»',
    '░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐',
    '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤',
    'ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀',
    'ÓßÔÒõÕµþÞÚÛÙýÝ¯´',
    '\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0',
  ],
  cp866: [
    'АБВГДЕЖЗИЙКЛМНОП',
    'РСТУФХЦЧШЩЪЫЬЭЮЯ',
    'абвгдежзийклмноп',
    '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐',
    '└┴┬├─┼╞╟╚╔╩╦╠═╬╧',
    '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀',
    'рстуфхцчшщъыьэюя',
    'ЁёЄєЇїЎў°∙·√№¤■\u00a0',
  ],
  cp737: [
    'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠ',
    'ΡΣΤΥΦΧΨΩαβγδεζηθ',
    'ικλμνξοπρσςτυφχψ',
    '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐',
    '└┴┬├─┼╞╟╚╔╩╦╠═╬╧',
    '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀',
    'ωάέήϊίόύϋώΆΈΉΊΌΎ',
    'Ώ±≥≤ΪΫ÷≈°∙·√ⁿ²■\u00a0',
  ],
  cp1252: [
    '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd',
    '\ufffd‘’“”•–—˜™š›œ\ufffdžŸ',
    '\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯',
    '°±²³´µ¶·¸¹º»¼½¾¿',
    'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏ',
    'ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß',
    'àáâãäåæçèéêëìíîï',
    'ðñòóôõö÷øùúûüýþÿ',
  ],
  cp1251: [
    'ЂЃ‚ѓ„…†‡€‰Љ‹ЊЌЋЏ',
    'ђ‘’“”•–—\ufffd™љ›њќћџ',
    '\u00a0ЎўЈ¤Ґ¦§Ё©Є«¬\u00ad®Ї',
    '°±Ііґµ¶·ё№є»јЅѕї',
    'АБВГДЕЖЗИЙКЛМНОП',
    'РСТУФХЦЧШЩЪЫЬЭЮЯ',
    'абвгдежзийклмноп',
    'рстуфхцчшщъыьэюя',
  ],
  cp1253: [
    '€\ufffd‚ƒ„…†‡\ufffd‰\ufffd‹\ufffd\ufffd\ufffd\ufffd',
    '\ufffd‘’“”•–—\ufffd™\ufffd›\ufffd\ufffd\ufffd\ufffd',
    '\u00a0΅Ά£¤¥¦§¨©\ufffd«¬\u00ad®―',
    '°±²³΄µ¶·ΈΉΊ»Ό½ΎΏ',
    'ΐΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟ',
    'ΠΡ\ufffdΣΤΥΦΧΨΩΪΫάέήί',
    'ΰαβγδεζηθικλμνξο',
    'πρςστυφχψωϊϋόύώ\ufffd',
  ],
};
