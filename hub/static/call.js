// The public home-call page (/call): choose a line or use a booking code, see yourself, wait in
// the queue, talk to an advisor, rate the call. The socket /ws/home speaks the kiosk's side of
// docs/call-protocol.md (docs/appointments.md "Video advice from home"); this page is the
// offerer, like the kiosk. No build step: plain script, Finnish, Swedish and English.
"use strict";

(() => {
  const LANGS = ["fi", "sv", "en"];
  const NATIVE = {fi: "suomi", sv: "svenska", en: "English"};
  //: The lines' status is asked for again this often while a citizen chooses (not in a call).
  const REFRESH_MS = 8000;
  const HELSINKI = "Europe/Helsinki";
  //: How long after its end a call may be rated (the hub's limit is 10 minutes).
  const RATING_MS = 9 * 60 * 1000;

  const TEXTS = {
    fi: {
      page_title: "Videoneuvonta kotoa",
      brand: "Videoneuvonta",
      language_nav: "Kieli",
      lines_heading: "Videoneuvonta kotoa",
      lines_intro: "Valitse palvelu, jonka neuvojan kanssa haluat puhua videoyhteydellä.",
      loading: "Haetaan palveluja…",
      lines_failed: "Palveluja ei saatu haettua. Yritetään uudelleen hetken kuluttua.",
      no_lines: "Videoneuvonta ei ole juuri nyt käytettävissä.",
      open_free: ["Avoinna nyt: {n} neuvoja on vapaana.", "Avoinna nyt: {n} neuvojaa on vapaana."],
      all_busy: "Avoinna, mutta kaikki neuvojat ovat varattuina.",
      people_waiting: ["Jonossa on {n} henkilö.", "Jonossa on {n} henkilöä."],
      nobody_waiting: "Olisit jonossa ensimmäisenä.",
      wait_minutes: ["Arvioitu odotusaika: noin {n} minuutti.", "Arvioitu odotusaika: noin {n} minuuttia."],
      wait_short: "Arvioitu odotusaika: alle minuutti.",
      wait_unknown: "Odota, että neuvoja vastaa.",
      unstaffed: "Avoinna, mutta yksikään neuvoja ei ole juuri nyt tavoitettavissa.",
      closed_now: "Suljettu nyt.",
      opens_today: "Avautuu tänään klo {time}.",
      opens_tomorrow: "Avautuu huomenna klo {time}.",
      opens_on: "Avautuu {weekday} {date} klo {time}.",
      weekdays: ["maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina", "lauantaina", "sunnuntaina"],
      when_today: "tänään klo {time}",
      when_tomorrow: "huomenna klo {time}",
      when_on: "{weekday} {date} klo {time}",
      languages: "Kielet: {languages}",
      by_phone: "Puhelimitse: {phone}",
      call: "Soita",
      code_heading: "Minulla on ajanvarauskoodi",
      code_label: "Ajanvarauskoodi (8 numeroa)",
      code_hint: "Koodi on ajanvarauksen kuitissa tai sähköpostissa, esimerkiksi 4821 0937.",
      code_go: "Jatka",
      code_invalid: "Kirjoita koodin 8 numeroa.",
      code_target: "Varattu aika, koodi {code}",
      consent_heading: "Tarkista, että kamera näkee sinut",
      consent: "Kun neuvoja vastaa, hän näkee ja kuulee sinut. Puhelua ei tallenneta.",
      preview_label: "Oma kamerasi",
      allow_camera: "Salli kamera ja mikrofoni",
      camera_asking: "Selain kysyy lupaa käyttää kameraa ja mikrofonia.",
      camera_on: "Kamera ja mikrofoni ovat päällä. Näet yllä, mitä neuvoja näkee.",
      microphone_only: "Kameraa ei löytynyt: neuvoja kuulee sinut mutta ei näe sinua.",
      camera_denied: "Kameraa ja mikrofonia ei saatu käyttöön. Salli ne selaimen asetuksista ja yritä uudelleen, tai soita puhelimella.",
      call_language: "Puhelun kieli",
      calling_line: "Soitetaan: {line}",
      back: "Takaisin",
      queue_heading: "Odotat neuvojaa",
      connecting: "Yhdistetään…",
      next_in_queue: "Olet jonossa seuraavana.",
      in_queue: ["Olet jonossa sijalla {n}.", "Olet jonossa sijalla {n}."],
      queued_booked: "Sinulla on varattu aika: neuvojasi vastaa heti, kun hän vapautuu.",
      queue_keep_open: "Pidä tämä sivu auki. Kuulet äänimerkin, kun neuvoja vastaa.",
      cancel: "Peru puhelu",
      answered: "Neuvoja vastasi.",
      call_heading: "Puhelu",
      talking_to: "Puhut neuvojan kanssa: {line}.",
      remote_label: "Neuvojan video",
      media_connecting: "Yhdistetään videoyhteyttä…",
      media_interrupted: "Yhteys pätkii…",
      media_failed: "Videoyhteys epäonnistui.",
      mute: "Mykistä mikrofoni",
      unmute: "Laita mikrofoni päälle",
      muted: "Mikrofonisi on pois päältä: neuvoja ei kuule sinua.",
      hang_up: "Lopeta puhelu",
      transferred: "Neuvoja siirsi puhelusi palveluun {line}. Odota, että seuraava neuvoja vastaa.",
      guest_joined: "Puheluun liittyi toinen henkilö.",
      guest_joined_line: "Puheluun liittyi toinen henkilö: {line}.",
      guest_label: "Toisen osallistujan video",
      guest_left: "Toinen henkilö poistui puhelusta.",
      ended_heading: "Puhelu on päättynyt",
      not_connected_heading: "Puhelu ei yhdistynyt",
      reason_advisor_hung_up: "Neuvoja lopetti puhelun.",
      reason_kiosk_hung_up: "Lopetit puhelun.",
      reason_advisor_gone: "Yhteys neuvojaan katkesi, ja puhelu päättyi.",
      reason_cancelled: "Poistuit jonosta.",
      reason_no_advisor: "Palvelussa {line} ei juuri nyt ole ketään vapaana vastaamaan. Yritä myöhemmin uudelleen.",
      reason_line_closed: "{line} on nyt suljettu.",
      reason_queue_full: "Palvelun {line} jono on juuri nyt täynnä. Yritä hetken kuluttua uudelleen.",
      reason_rate_limited: "Verkostasi on aloitettu liian monta puhelua. Yritä myöhemmin uudelleen.",
      reason_booking_unknown: "Tällä koodilla ei löytynyt ajanvarausta. Tarkista koodi ja yritä uudelleen.",
      reason_booking_early: "Varattu aikasi ei ole vielä alkanut. Koodi toimii {when} alkaen.",
      reason_booking_over: "Tämän ajanvarauksen aika on ohi, tai koodi on jo käytetty tai peruttu.",
      reason_socket_lost: "Yhteys palveluun katkesi, ja puhelu päättyi. Yritä uudelleen.",
      reason_too_many_sockets: "Videoneuvonta on auki liian monessa ikkunassa verkossasi. Sulje muut ja yritä uudelleen.",
      reason_unavailable: "Videoneuvonta ei ole juuri nyt käytettävissä.",
      reason_failed: "Puhelua palveluun {line} ei voitu aloittaa. Yritä myöhemmin uudelleen.",
      reason_other: "Puhelu on päättynyt.",
      phone_out: "Voit myös soittaa palveluun {line} puhelimella: {phone}",
      phones_all: "Voit soittaa neuvontapalveluihin puhelimella:",
      rate: "Kuinka hyödyllinen puhelu oli? 1 = ei lainkaan, 5 = erittäin hyödyllinen.",
      stars: ["{n} tähti", "{n} tähteä"],
      thanks: "Kiitos arviostasi.",
      again: "Takaisin alkuun",
    },
    sv: {
      page_title: "Videorådgivning hemifrån",
      brand: "Videorådgivning",
      language_nav: "Språk",
      lines_heading: "Videorådgivning hemifrån",
      lines_intro: "Välj den tjänst vars rådgivare du vill tala med via video.",
      loading: "Tjänsterna hämtas…",
      lines_failed: "Tjänsterna kunde inte hämtas. Vi försöker igen om en stund.",
      no_lines: "Videorådgivningen är inte tillgänglig just nu.",
      open_free: ["Öppet nu: {n} rådgivare är ledig.", "Öppet nu: {n} rådgivare är lediga."],
      all_busy: "Öppet, men alla rådgivare är upptagna.",
      people_waiting: ["{n} person väntar.", "{n} personer väntar."],
      nobody_waiting: "Du skulle vara först i kön.",
      wait_minutes: ["Beräknad väntetid: cirka {n} minut.", "Beräknad väntetid: cirka {n} minuter."],
      wait_short: "Beräknad väntetid: mindre än en minut.",
      wait_unknown: "Vänta tills en rådgivare svarar.",
      unstaffed: "Öppet, men ingen rådgivare är tillgänglig just nu.",
      closed_now: "Stängt nu.",
      opens_today: "Öppnar i dag kl. {time}.",
      opens_tomorrow: "Öppnar i morgon kl. {time}.",
      opens_on: "Öppnar {weekday} {date} kl. {time}.",
      weekdays: ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
      when_today: "i dag kl. {time}",
      when_tomorrow: "i morgon kl. {time}",
      when_on: "{weekday} {date} kl. {time}",
      languages: "Språk: {languages}",
      by_phone: "Per telefon: {phone}",
      call: "Ring",
      code_heading: "Jag har en bokningskod",
      code_label: "Bokningskod (8 siffror)",
      code_hint: "Koden står på bokningskvittot eller i e-postmeddelandet, till exempel 4821 0937.",
      code_go: "Fortsätt",
      code_invalid: "Skriv kodens 8 siffror.",
      code_target: "Bokad tid, kod {code}",
      consent_heading: "Kontrollera att kameran ser dig",
      consent: "När en rådgivare svarar ser och hör hen dig. Samtalet spelas inte in.",
      preview_label: "Din kamera",
      allow_camera: "Tillåt kamera och mikrofon",
      camera_asking: "Webbläsaren frågar om lov att använda kameran och mikrofonen.",
      camera_on: "Kameran och mikrofonen är på. Ovan ser du vad rådgivaren ser.",
      microphone_only: "Ingen kamera hittades: rådgivaren hör dig men ser dig inte.",
      camera_denied: "Kameran och mikrofonen kunde inte användas. Tillåt dem i webbläsarens inställningar och försök igen, eller ring per telefon.",
      call_language: "Samtalets språk",
      calling_line: "Ringer till {line}",
      back: "Tillbaka",
      queue_heading: "Du väntar på en rådgivare",
      connecting: "Ansluter…",
      next_in_queue: "Du står näst i kön.",
      in_queue: ["Du är nummer {n} i kön.", "Du är nummer {n} i kön."],
      queued_booked: "Du har en bokad tid: din rådgivare svarar så snart hen är ledig.",
      queue_keep_open: "Håll den här sidan öppen. Du hör en signal när en rådgivare svarar.",
      cancel: "Avbryt samtalet",
      answered: "En rådgivare svarade.",
      call_heading: "Samtal",
      talking_to: "Du talar med en rådgivare på {line}.",
      remote_label: "Rådgivarens video",
      media_connecting: "Videoförbindelsen ansluts…",
      media_interrupted: "Förbindelsen bryts…",
      media_failed: "Videoförbindelsen misslyckades.",
      mute: "Stäng av mikrofonen",
      unmute: "Sätt på mikrofonen",
      muted: "Din mikrofon är avstängd: rådgivaren hör dig inte.",
      hang_up: "Avsluta samtalet",
      transferred: "Rådgivaren flyttade ditt samtal till {line}. Vänta tills nästa rådgivare svarar.",
      guest_joined: "En annan person anslöt till samtalet.",
      guest_joined_line: "En annan person anslöt till samtalet: {line}.",
      guest_label: "Den andra deltagarens video",
      guest_left: "Den andra personen lämnade samtalet.",
      ended_heading: "Samtalet har avslutats",
      not_connected_heading: "Samtalet kopplades inte fram",
      reason_advisor_hung_up: "Rådgivaren avslutade samtalet.",
      reason_kiosk_hung_up: "Du avslutade samtalet.",
      reason_advisor_gone: "Förbindelsen till rådgivaren bröts och samtalet avslutades.",
      reason_cancelled: "Du lämnade kön.",
      reason_no_advisor: "Ingen på {line} är ledig att svara just nu. Försök igen senare.",
      reason_line_closed: "{line} är stängt nu.",
      reason_queue_full: "Kön till {line} är full just nu. Försök igen om en stund.",
      reason_rate_limited: "För många samtal har startats från ditt nätverk. Försök igen senare.",
      reason_booking_unknown: "Ingen bokning hittades med den här koden. Kontrollera koden och försök igen.",
      reason_booking_early: "Din bokade tid har inte börjat ännu. Koden fungerar från {when}.",
      reason_booking_over: "Tiden för den här bokningen är förbi, eller så har koden redan använts eller avbokats.",
      reason_socket_lost: "Förbindelsen till tjänsten bröts och samtalet avslutades. Försök igen.",
      reason_too_many_sockets: "Videorådgivningen är öppen i för många fönster i ditt nätverk. Stäng de andra och försök igen.",
      reason_unavailable: "Videorådgivningen är inte tillgänglig just nu.",
      reason_failed: "Samtalet till {line} kunde inte inledas. Försök igen senare.",
      reason_other: "Samtalet har avslutats.",
      phone_out: "Du kan också ringa {line} per telefon: {phone}",
      phones_all: "Du kan ringa rådgivningstjänsterna per telefon:",
      rate: "Hur nyttigt var samtalet? 1 = inte alls, 5 = mycket nyttigt.",
      stars: ["{n} stjärna", "{n} stjärnor"],
      thanks: "Tack för ditt betyg.",
      again: "Tillbaka till början",
    },
    en: {
      page_title: "Video advice from home",
      brand: "Video advice",
      language_nav: "Language",
      lines_heading: "Video advice from home",
      lines_intro: "Choose the service whose advisor you want to talk to on video.",
      loading: "Looking for the advice services…",
      lines_failed: "The services could not be loaded. Trying again in a moment.",
      no_lines: "Video advice is not available right now.",
      open_free: ["Open now: {n} advisor is free.", "Open now: {n} advisors are free."],
      all_busy: "Open now, but all advisors are busy.",
      people_waiting: ["{n} person is waiting.", "{n} people are waiting."],
      nobody_waiting: "You would be first in the queue.",
      wait_minutes: ["Estimated wait: about {n} minute.", "Estimated wait: about {n} minutes."],
      wait_short: "Estimated wait: less than a minute.",
      wait_unknown: "Please wait for an advisor to answer.",
      unstaffed: "Open, but no advisor is available right now.",
      closed_now: "Closed now.",
      opens_today: "Opens today at {time}.",
      opens_tomorrow: "Opens tomorrow at {time}.",
      opens_on: "Opens on {weekday} {date} at {time}.",
      weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
      when_today: "today at {time}",
      when_tomorrow: "tomorrow at {time}",
      when_on: "{weekday} {date} at {time}",
      languages: "Languages: {languages}",
      by_phone: "By phone: {phone}",
      call: "Call",
      code_heading: "I have a booking code",
      code_label: "Booking code (8 digits)",
      code_hint: "The code is on your booking slip or in the e-mail, for example 4821 0937.",
      code_go: "Continue",
      code_invalid: "Type the 8 digits of the code.",
      code_target: "Booked appointment, code {code}",
      consent_heading: "Check that the camera sees you",
      consent: "When an advisor answers, they will see and hear you. The call is not recorded.",
      preview_label: "Your camera",
      allow_camera: "Allow camera and microphone",
      camera_asking: "Your browser asks for permission to use the camera and microphone.",
      camera_on: "The camera and microphone are on. Above you see what the advisor will see.",
      microphone_only: "No camera was found: the advisor will hear you but not see you.",
      camera_denied: "The camera and microphone could not be used. Allow them in your browser's settings and try again, or call by phone.",
      call_language: "Language of the call",
      calling_line: "Calling {line}",
      back: "Back",
      queue_heading: "Waiting for an advisor",
      connecting: "Connecting…",
      next_in_queue: "You are next in the queue.",
      in_queue: ["You are number {n} in the queue.", "You are number {n} in the queue."],
      queued_booked: "You have an appointment: your advisor will answer as soon as they are free.",
      queue_keep_open: "Keep this page open. You will hear a chime when an advisor answers.",
      cancel: "Cancel the call",
      answered: "An advisor answered.",
      call_heading: "The call",
      talking_to: "You are talking to an advisor of {line}.",
      remote_label: "The advisor's video",
      media_connecting: "Connecting the video…",
      media_interrupted: "The connection is interrupted…",
      media_failed: "The video connection failed.",
      mute: "Mute microphone",
      unmute: "Turn microphone on",
      muted: "Your microphone is off: the advisor cannot hear you.",
      hang_up: "End call",
      transferred: "The advisor moved your call to {line}. Please wait for the next advisor to answer.",
      guest_joined: "Another person joined the call.",
      guest_joined_line: "Another person joined the call: {line}.",
      guest_label: "The other participant's video",
      guest_left: "The other person left the call.",
      ended_heading: "The call has ended",
      not_connected_heading: "The call did not go through",
      reason_advisor_hung_up: "The advisor ended the call.",
      reason_kiosk_hung_up: "You ended the call.",
      reason_advisor_gone: "The connection to the advisor was lost and the call ended.",
      reason_cancelled: "You left the queue.",
      reason_no_advisor: "Nobody at {line} is free to answer right now. Please try again later.",
      reason_line_closed: "{line} is closed now.",
      reason_queue_full: "The queue for {line} is full right now. Please try again in a moment.",
      reason_rate_limited: "Too many calls have been started from your network. Please try again later.",
      reason_booking_unknown: "No booking was found with this code. Check the code and try again.",
      reason_booking_early: "Your appointment has not started yet. The code works from {when}.",
      reason_booking_over: "The time of this booking is over, or the code has already been used or cancelled.",
      reason_socket_lost: "The connection to the service was lost and the call ended. Please try again.",
      reason_too_many_sockets: "Video advice is open in too many windows on your network. Close the others and try again.",
      reason_unavailable: "Video advice is not available right now.",
      reason_failed: "The call to {line} could not be started. Please try again later.",
      reason_other: "The call has ended.",
      phone_out: "You can also call {line} by phone: {phone}",
      phones_all: "You can call the advice services by phone:",
      rate: "How useful was the call? 1 = not at all, 5 = very useful.",
      stars: ["{n} star", "{n} stars"],
      thanks: "Thank you for your rating.",
      again: "Back to the start",
    },
  };

  // ---- language -------------------------------------------------------------------------------

  function chosenLanguage() {
    const asked = new URLSearchParams(location.search).get("lang");
    if (LANGS.includes(asked)) return asked;
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const base = String(tag).toLowerCase().split("-")[0];
      if (LANGS.includes(base)) return base;
    }
    return "fi";
  }

  let lang = chosenLanguage();

  function t(key, vars) {
    let text = TEXTS[lang][key];
    if (text === undefined) text = TEXTS.en[key] || key;
    if (Array.isArray(text)) text = text[vars && vars.n === 1 ? 0 : 1];
    return String(text).replace(/\{(\w+)\}/g, (m, name) => (vars && name in vars ? String(vars[name]) : m));
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-t-label]").forEach((el) => {
      el.setAttribute("aria-label", t(el.dataset.tLabel));
    });
    document.querySelectorAll("#languages a").forEach((a) => {
      if (a.dataset.lang === lang) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
    document.querySelectorAll(".stars button").forEach((b) => {
      b.setAttribute("aria-label", t("stars", {n: Number(b.dataset.stars)}));
    });
  }

  function setLanguage(next) {
    lang = next;
    const url = new URL(location.href);
    url.searchParams.set("lang", next);
    history.replaceState(null, "", url);
    applyTexts();
    renderAll();
  }

  // ---- small helpers --------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(text) {
    // A fresh text node each time, so screen readers announce a repeated message too.
    const live = $("live");
    live.textContent = "";
    setTimeout(() => { live.textContent = text; }, 50);
  }

  function unbroken(phone) {
    return String(phone).replace(/ /g, "\u00a0");
  }

  function phoneLink(phone) {
    return el("a", {href: "tel:" + String(phone).replace(/[^+\d]/g, "")}, unbroken(phone));
  }

  // A time in Helsinki, in words relative to today there: "today at 9:00", "Monday 8.12. at 9:00".
  function helsinkiParts(date) {
    const parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: HELSINKI, year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "2-digit", hourCycle: "h23", weekday: "short",
    }).formatToParts(date).forEach((p) => { parts[p.type] = p.value; });
    const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday);
    return {
      day: `${parts.year}-${parts.month}-${parts.day}`,
      date: `${Number(parts.day)}.${Number(parts.month)}.`,
      time: `${Number(parts.hour)}${lang === "en" ? ":" : "."}${parts.minute}`,
      weekday,
    };
  }

  // "Today" is the hub's (its lines' `at`): a phone's clock may be set wrong.
  function hubNow() {
    const at = state.at ? Date.parse(state.at) : NaN;
    return Number.isNaN(at) ? Date.now() : at + (Date.now() - state.atReceived);
  }

  function relativeDay(iso, today, tomorrow, on) {
    const when = helsinkiParts(new Date(iso));
    const now = helsinkiParts(new Date(hubNow()));
    const next = helsinkiParts(new Date(hubNow() + 24 * 3600 * 1000));
    if (when.day === now.day) return t(today, {time: when.time});
    if (when.day === next.day) return t(tomorrow, {time: when.time});
    return t(on, {weekday: TEXTS[lang].weekdays[when.weekday], date: when.date, time: when.time});
  }

  function openingText(iso) {
    return relativeDay(iso, "opens_today", "opens_tomorrow", "opens_on");
  }

  function waitText(seconds) {
    if (seconds === null || seconds === undefined) return t("wait_unknown");
    if (seconds < 60) return t("wait_short");
    const n = Math.ceil(seconds / 60);
    return t("wait_minutes", {n});
  }

  // ---- state ----------------------------------------------------------------------------------

  const state = {
    step: "lines",
    lines: [],            // from /api/home/lines
    linesFailed: false,
    linesLoaded: false,
    at: null,             // the hub's time when it listed the lines
    atReceived: 0,
    cameraText: "",
    target: null,         // {line} or {booking}
    callLine: null,       // the line the call is on (a booking's comes with `queued`)
    local: null,          // the camera and microphone
    ws: null,
    hello: null,
    iceServers: [],
    call: null,           // the call's id
    queued: null,         // the last `queued`
    pc: null,
    parties: {},          // role → its peer connection (see openPeer)
    guestNote: "",
    connected: false,
    muted: false,
    ended: null,          // {reason, can_rate, next_opening, opens_at, connected}
    rated: null,
    notice: "",
    mediaState: "",
    resumeSeconds: 30,    // how long the hub keeps a call whose socket was lost (its hello's)
    resuming: null,       // the grace's timer while the socket is lost with the call kept
  };
  window.homeCall = state;  // for tests and the curious: what the page holds

  function lineById(id) {
    return state.lines.find((l) => l.id === id) || null;
  }

  function lineName(id) {
    const line = lineById(id);
    return line ? (line.name[lang] || line.name.fi || id) : (id || "");
  }

  // ---- steps ----------------------------------------------------------------------------------

  function show(step, focus = true) {
    state.step = step;
    document.body.dataset.step = step;
    for (const name of ["lines", "consent", "queue", "call", "ended"]) {
      $(`step-${name}`).hidden = name !== step;
    }
    renderAll();
    const heading = $(`step-${step}`).querySelector("h1");
    if (heading && focus) heading.focus();
  }

  function renderAll() {
    document.title = state.step === "queue" && state.queued && state.queued.position
      ? `(${state.queued.position}) ${t("page_title")}` : t("page_title");
    renderLines();
    renderConsent();
    renderQueue();
    renderCall();
    renderEnded();
  }

  // ---- 1. the lines ---------------------------------------------------------------------------

  function stateText(line) {
    const s = line.status || {};
    const st = s.state || (line.open_now ? "open" : "closed");
    if (st === "closed" || !line.open_now) {
      const opening = s.next_opening || line.next_opening;
      return [t("closed_now"), opening ? openingText(opening) : ""].join(" ").trim();
    }
    if (st === "available") {
      const n = Math.max(s.advisors_free || 0, 1);
      const parts = [t("open_free", {n})];
      if (s.waiting) parts.push(t("people_waiting", {n: s.waiting}));
      return parts.join(" ");
    }
    if (st === "busy") {
      const parts = [t("all_busy")];
      parts.push(s.waiting ? t("people_waiting", {n: s.waiting}) : t("nobody_waiting"));
      parts.push(waitText(s.estimated_wait_s));
      return parts.join(" ");
    }
    if (st === "unstaffed") return t("unstaffed");
    return t("open_free", {n: 1});
  }

  function callable(line) {
    const st = (line.status || {}).state;
    return line.open_now && (st === "available" || st === "busy");
  }

  function renderLines() {
    const loading = $("lines-loading");
    loading.hidden = state.lines.length > 0 || state.linesFailed;
    loading.textContent = state.linesLoaded ? t("no_lines") : t("loading");
    const problem = $("lines-problem");
    problem.hidden = !state.linesFailed;
    problem.textContent = state.linesFailed ? t("lines_failed") : "";
    const list = $("lines");
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.line : null;
    list.replaceChildren();
    for (const line of state.lines) {
      const item = el("li", {class: "line", "data-line": line.id});
      const headingId = `line-${line.id}-name`;
      const stateId = `line-${line.id}-state`;
      item.append(el("h2", {id: headingId}, lineName(line.id)));
      const description = (line.description || {})[lang];
      if (description) item.append(el("p", {class: "description"}, description));
      const st = (line.status || {}).state || (line.open_now ? "open" : "closed");
      item.append(el("p", {class: "state", id: stateId, "data-state": st}, stateText(line)));
      const names = (line.languages || []).map((c) => NATIVE[c] || c).join(", ");
      if (names) item.append(el("p", {class: "languages"}, t("languages", {languages: names})));
      if (line.phone) {
        const phone = el("p", {class: "phone"});
        const [before, after] = t("by_phone", {phone: "\u0000"}).split("\u0000");
        phone.append(before, phoneLink(line.phone), after || "");
        item.append(phone);
      }
      if (callable(line)) {
        const button = el("button", {
          type: "button", class: "primary", "data-line": line.id,
          "aria-describedby": stateId,
        });
        button.append(t("call"), el("span", {class: "visually-hidden"}, ` ${lineName(line.id)}`));
        button.addEventListener("click", () => choose({line: line.id}));
        item.append(button);
      }
      list.append(item);
    }
    if (focused) {
      const again = list.querySelector(`button[data-line="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  let refreshTimer = null;

  async function refreshLines() {
    clearTimeout(refreshTimer);
    let delay = REFRESH_MS;
    try {
      const response = await fetch("/api/home/lines", {cache: "no-store"});
      if (response.status === 429) {
        delay = Math.max(REFRESH_MS, 1000 * Number(response.headers.get("Retry-After") || 10));
      } else if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      } else {
        const body = await response.json();
        state.lines = body.lines || [];
        state.at = body.at || null;
        state.atReceived = Date.now();
        state.linesFailed = false;
        state.linesLoaded = true;
      }
    } catch (e) {
      state.linesFailed = true;
    }
    if (state.step === "lines" || state.step === "consent") renderLines();
    // Not while waiting or talking: the call's own messages say all there is then.
    refreshTimer = setTimeout(() => {
      if (state.step === "lines" || state.step === "consent" || state.step === "ended") refreshLines();
      else refreshTimer = null;
    }, delay);
  }

  function codeDigits(text) {
    return String(text).replace(/[\s\-]+/g, "");
  }

  function onCode(event) {
    event.preventDefault();
    const input = $("code");
    const digits = codeDigits(input.value);
    const error = $("code-error");
    if (!/^\d{8}$/.test(digits)) {
      error.textContent = t("code_invalid");
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    choose({booking: digits});
  }

  function choose(target) {
    state.target = target;
    state.callLine = target.line || null;
    state.ended = null;
    state.rated = null;
    show("consent");
    if (state.local) $("call").focus();
  }

  // ---- 2. consent and preview -----------------------------------------------------------------

  function targetText() {
    const target = state.target;
    if (!target) return "";
    if (target.booking) {
      const code = `${target.booking.slice(0, 4)} ${target.booking.slice(4)}`;
      return t("code_target", {code});
    }
    return t("calling_line", {line: lineName(target.line)});
  }

  function renderConsent() {
    $("consent-target").textContent = targetText();
    const has = state.local !== null;
    $("allow-camera").hidden = has;
    $("call").hidden = !has;
    const box = $("call-language-box");
    const line = state.target && state.target.line ? lineById(state.target.line) : null;
    const languages = line ? (line.languages || []).filter((c) => LANGS.includes(c)) : [];
    box.hidden = languages.length < 2;
    const select = $("call-language");
    const previous = select.value;
    select.replaceChildren(...languages.map((c) => el("option", {value: c, lang: c}, NATIVE[c])));
    if (languages.includes(previous)) select.value = previous;
    else if (languages.includes(lang)) select.value = lang;
    const camera = $("camera-state");
    camera.textContent = state.cameraText ? t(state.cameraText) : "";
  }

  async function allowCamera() {
    state.cameraText = "camera_asking";
    renderConsent();
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
      state.cameraText = "camera_on";
    } catch (e) {
      try {
        // No camera (or it is taken): a call the advisor only hears is better than none.
        stream = await navigator.mediaDevices.getUserMedia({audio: true});
        state.cameraText = "microphone_only";
      } catch (e2) {
        state.cameraText = "camera_denied";
      }
    }
    if (stream) {
      state.local = stream;
      $("preview").srcObject = stream;
    }
    renderConsent();
    if (stream) $("call").focus();
  }

  function releaseCamera() {
    if (state.local) state.local.getTracks().forEach((track) => track.stop());
    state.local = null;
    state.cameraText = "";
    $("preview").srcObject = null;
    $("own-video").srcObject = null;
  }

  // ---- the socket -----------------------------------------------------------------------------

  function send(message) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
  }

  function startCall() {
    prepareChime();
    state.call = null;
    state.queued = null;
    state.connected = false;
    state.ended = null;
    state.rated = null;
    state.notice = "";
    show("queue");
    openSocket();
  }

  // A socket lost (not refused) once the hub has named the call keeps the call: the hub keeps
  // it for `resume_seconds`, the media goes on peer to peer, and the page connects again at
  // once and sends `resume` (the call's id) instead of a new `call`. When the grace passes
  // first, the call ends here as it has on the hub.
  function keepCall() {
    if (state.resuming) return;
    const call = state.call;
    state.resuming = setTimeout(() => {
      state.resuming = null;
      if (!state.ended && state.call === call) finish({reason: "socket_lost", can_rate: false}, true);
    }, state.resumeSeconds * 1000);
  }

  function resumedNow() {
    clearTimeout(state.resuming);
    state.resuming = null;
  }

  function openSocket() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws/home`);
    state.ws = ws;
    let helloSeen = false;
    ws.addEventListener("message", (event) => {
      if (state.ws !== ws) return;
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "hello") helloSeen = true;
      const handler = HANDLERS[message.type];
      if (handler) handler(message);
    });
    ws.addEventListener("close", (event) => {
      if (state.ws !== ws) return;
      state.ws = null;
      if (state.ended) return;
      if (state.call && (state.resuming || (helloSeen && event.code !== 1008))) {
        keepCall();
        setTimeout(() => { if (state.resuming && !state.ended) openSocket(); }, 500);
        return;
      }
      let reason = "socket_lost";
      if (!helloSeen) reason = event.code === 1008 ? "too_many_sockets" : "unavailable";
      else if (event.code === 1008 && !state.call) reason = "too_many_sockets";
      finish({reason, can_rate: false}, true);
    });
  }

  const HANDLERS = {
    hello(m) {
      state.hello = m;
      state.iceServers = m.ice_servers || [];
      if (m.resume_seconds > 0) state.resumeSeconds = m.resume_seconds;
      if (state.resuming) {
        send({type: "resume", call: state.call});
        return;
      }
      const target = state.target;
      const request = {type: "call", language: callLanguage()};
      if (target.booking) request.booking = target.booking;
      if (target.line) request.line = target.line;
      send(request);
    },
    resumed(m) {
      if (m.call === state.call) resumedNow();
    },
    queued(m) {
      if (state.resuming && m.call === state.call) {
        resumedNow();
        if (state.connected) {
          // Moved on while this page was away: its advisor's media went with it.
          closeAll();
          state.connected = false;
          show("queue");
        }
      }
      const first = state.queued === null;
      state.call = m.call;
      if (m.line) state.callLine = m.line;
      state.queued = m;
      renderAll();
      // The position is announced by its live region; the first time also says where.
      if (first) say(t("calling_line", {line: lineName(state.callLine)}));
    },
    connected(m) {
      state.call = m.call;
      if (m.line) state.callLine = m.line;
      state.iceServers = m.ice_servers || state.iceServers;
      state.connected = true;
      chime();
      say(t("answered"));
      show("call");
      startMedia().catch((e) => { state.mediaState = "media_failed"; renderCall(); console.warn(e); });
    },
    transferred(m) {
      closeAll();
      state.connected = false;
      state.callLine = m.line;
      state.queued = null;
      state.notice = "transferred";
      show("queue");
      say(t("transferred", {line: lineName(m.line)}));
    },
    answer(m) {
      const p = party(m);
      if (!p) return;
      p.pc.setRemoteDescription({type: "answer", sdp: m.sdp})
        .then(() => flushIce(p))
        .catch((e) => console.warn("answer", e));
    },
    offer(m) {
      // A renegotiation from the other side: answer it on the same connection.
      const p = party(m);
      if (!p) return;
      p.pc.setRemoteDescription({type: "offer", sdp: m.sdp})
        .then(() => p.pc.createAnswer())
        .then((answer) => p.pc.setLocalDescription(answer))
        .then(() => signal(p.role, {type: "answer", sdp: p.pc.localDescription.sdp}))
        .then(() => flushIce(p))
        .catch((e) => console.warn("offer", e));
    },
    ice(m) {
      const p = party(m);
      if (!p) return;
      if (!p.pc.remoteDescription) p.pendingIce.push(m.candidate);
      else addIce(p, m.candidate);
    },
    joined(m) {
      if (m.call !== state.call || m.party !== "guest") return;
      // A third person the advisor brought in (call-three-party.md): this side offers to them.
      const name = (m.line_name || {})[lang] || lineName(m.line);
      state.guestNote = name ? t("guest_joined_line", {line: name}) : t("guest_joined");
      say(state.guestNote);
      offerTo("guest").catch((e) => console.warn("guest", e));
      renderCall();
    },
    left(m) {
      if (m.call !== state.call) return;
      if (m.party === "guest") {
        closePeer("guest");
      } else if (m.party === "host") {
        closePeer("host");
        if (m.promoted === "guest" && state.parties.guest) {
          // The host left the call to the guest, who is the host from now on.
          const p = state.parties.guest;
          delete state.parties.guest;
          p.role = "host";
          state.parties.host = p;
        }
      }
      state.guestNote = "";
      say(t("guest_left"));
      renderVideos();
      renderCall();
    },
    ended(m) {
      if (state.call && m.call && m.call !== state.call) return;
      resumedNow();
      if (m.call) state.call = m.call;
      finish(m, false);
    },
    error(m) {
      // A refused request: before a call exists it means the call could not start.
      console.warn("hub:", m.message);
      if (!state.call && !state.ended) finish({reason: "failed", can_rate: false}, true);
    },
  };

  function callLanguage() {
    const box = $("call-language-box");
    if (!box.hidden && $("call-language").value) return $("call-language").value;
    const line = state.target && state.target.line ? lineById(state.target.line) : null;
    const served = line ? (line.languages || []) : LANGS;
    return served.includes(lang) ? lang : (served[0] || lang);
  }

  // ---- 3. the queue ---------------------------------------------------------------------------

  function renderQueue() {
    $("queue-target").textContent = state.target && state.target.booking && !state.callLine
      ? targetText() : t("calling_line", {line: lineName(state.callLine)});
    const q = state.queued;
    let position = t("connecting");
    let wait = "";
    if (state.notice === "transferred" && !q) {
      position = t("transferred", {line: lineName(state.callLine)});
    } else if (q) {
      position = q.position <= 1 ? t("next_in_queue") : t("in_queue", {n: q.position});
      wait = q.booked ? "" : waitText(q.estimated_wait_s);
    }
    $("queue-position").textContent = position;
    $("queue-wait").textContent = wait;
    $("queue-wait").hidden = !wait;
    $("queue-booked").hidden = !(q && q.booked);
  }

  function cancel() {
    if (state.call) {
      send({type: "cancel", call: state.call});
      // The hub answers with `ended` (cancelled); a socket that cannot is closed instead.
      setTimeout(() => { if (!state.ended) finish({reason: "cancelled", can_rate: false}, true); }, 3000);
    } else {
      finish({reason: "cancelled", can_rate: false}, true);
    }
  }

  // ---- 4. the call ----------------------------------------------------------------------------

  // One peer connection to each other party of the call, by role: the host (the advisor who
  // answered) and, when one is brought in, a guest. The host's signalling goes without `to`,
  // as a kiosk's; a guest's is named both ways (docs/call-three-party.md).

  function party(message) {
    if (message.call !== state.call) return null;
    return state.parties[message.from || "host"] || null;
  }

  function signal(role, message) {
    message.call = state.call;
    if (role !== "host") message.to = role;
    send(message);
  }

  function openPeer(role) {
    closePeer(role);
    const pc = new RTCPeerConnection({iceServers: state.iceServers});
    const p = {role, pc, pendingIce: [], audio: null, video: null};
    state.parties[role] = p;
    const stream = state.local || new MediaStream();
    // Audio and video both ways, even when this side has no camera: the other's still comes.
    for (const kind of ["audio", "video"]) {
      const track = stream.getTracks().find((x) => x.kind === kind);
      if (track) pc.addTransceiver(track, {direction: "sendrecv", streams: [stream]});
      else pc.addTransceiver(kind, {direction: "recvonly"});
    }
    const mine = () => state.parties[p.role] === p;
    pc.addEventListener("icecandidate", (e) => {
      if (mine()) signal(p.role, {type: "ice", candidate: e.candidate ? e.candidate.toJSON() : null});
    });
    pc.addEventListener("track", (e) => {
      if (!mine()) return;
      if (e.track.kind === "audio") {
        // Chromium plays (and decodes) incoming audio only once it plays somewhere.
        const audio = new Audio();
        audio.srcObject = new MediaStream([e.track]);
        audio.play().catch(() => {});
        p.audio = audio;
      } else {
        p.video = e.track;
        renderVideos();
      }
    });
    pc.addEventListener("connectionstatechange", () => {
      if (!mine() || p.role !== "host") return;
      const s = pc.connectionState;
      state.mediaState = s === "connected" ? "" : s === "failed" ? "media_failed"
        : s === "disconnected" ? "media_interrupted" : "media_connecting";
      renderCall();
    });
    return p;
  }

  async function offerTo(role) {
    const p = openPeer(role);
    const offer = await p.pc.createOffer();
    await p.pc.setLocalDescription(offer);
    if (state.parties[p.role] !== p) return;
    signal(p.role, {type: "offer", sdp: p.pc.localDescription.sdp});
  }

  async function startMedia() {
    closeAll();
    state.mediaState = "media_connecting";
    applyMute();
    $("own-video").srcObject = state.local;
    await offerTo("host");
    renderCall();
  }

  function addIce(p, candidate) {
    p.pc.addIceCandidate(candidate || null).catch((e) => console.warn("ice", e));
  }

  function flushIce(p) {
    const pending = p.pendingIce;
    p.pendingIce = [];
    pending.forEach((candidate) => addIce(p, candidate));
  }

  function closePeer(role) {
    const p = state.parties[role];
    if (!p) return;
    delete state.parties[role];
    p.pc.close();
    if (p.audio) p.audio.srcObject = null;
    renderVideos();
  }

  function closeAll() {
    for (const role of Object.keys(state.parties)) closePeer(role);
    state.guestNote = "";
  }

  // Each video element shows its party's camera; set only when it changes, so as not to restart.
  function renderVideos() {
    for (const [role, id] of [["host", "remote-video"], ["guest", "guest-video"]]) {
      const track = state.parties[role] ? state.parties[role].video : null;
      const video = $(id);
      const shown = video.srcObject ? video.srcObject.getVideoTracks()[0] || null : null;
      if (shown !== track) {
        video.srcObject = track ? new MediaStream([track]) : null;
        if (track) video.play().catch(() => {});
      }
    }
    $("guest-box").hidden = !state.parties.guest;
  }

  function applyMute() {
    if (state.local) state.local.getAudioTracks().forEach((track) => { track.enabled = !state.muted; });
  }

  function toggleMute() {
    state.muted = !state.muted;
    applyMute();
    renderCall();
    say(state.muted ? t("muted") : t("unmute"));
  }

  function hangUp() {
    if (state.call) send({type: "hang_up", call: state.call});
    closeAll();
    setTimeout(() => { if (!state.ended) finish({reason: "kiosk_hung_up", can_rate: false}, true); }, 3000);
  }

  function renderCall() {
    $("call-target").textContent = t("talking_to", {line: lineName(state.callLine)});
    const mute = $("mute");
    mute.setAttribute("aria-pressed", String(state.muted));
    mute.textContent = state.muted ? t("unmute") : t("mute");
    $("muted-note").hidden = !state.muted;
    $("media-state").textContent = state.mediaState ? t(state.mediaState) : "";
    $("guest-note").textContent = state.guestNote;
    $("guest-note").hidden = !state.guestNote;
  }

  // The turn's chime: two short tones from the page itself (no file to fetch), prepared on the
  // Call tap because browsers let a page make sound only after the user did something.
  let audioContext = null;

  function prepareChime() {
    try {
      if (!audioContext) audioContext = new AudioContext();
      audioContext.resume().catch(() => {});
    } catch (e) {
      audioContext = null;
    }
  }

  function chime() {
    if (!audioContext) return;
    const start = audioContext.currentTime;
    [[660, 0], [880, 0.18]].forEach(([hz, at]) => {
      const osc = audioContext.createOscillator();
      const gain = audioContext.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(0.25, start + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.3);
      osc.connect(gain).connect(audioContext.destination);
      osc.start(start + at);
      osc.stop(start + at + 0.32);
    });
  }

  // ---- 5. the end -----------------------------------------------------------------------------

  function finish(message, local) {
    const wasConnected = state.connected;
    state.ended = {
      reason: message.reason || "other",
      can_rate: Boolean(message.can_rate) && Boolean(state.call),
      next_opening: message.next_opening || null,
      opens_at: message.opens_at || null,
      connected: wasConnected,
    };
    if (message.line) state.callLine = message.line;
    state.connected = false;
    closeAll();
    if (local && state.ws) {
      const ws = state.ws;
      state.ws = null;
      ws.close(1000);
    }
    if (state.ended.can_rate) {
      // The hub takes a rating for 10 minutes after the call; the socket is not held longer.
      const ended = state.ended;
      setTimeout(() => {
        if (state.ended !== ended || state.rated !== null) return;
        ended.can_rate = false;
        closeSocket();
        renderEnded();
      }, RATING_MS);
    } else {
      closeSocket();
    }
    releaseCamera();
    show("ended");
    say(reasonText());
    refreshLines();
  }

  function closeSocket() {
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close(1000);
  }

  function reasonText() {
    const ended = state.ended;
    if (!ended) return "";
    const line = lineName(state.callLine);
    const key = `reason_${ended.reason}`;
    let text = TEXTS.en[key] !== undefined ? t(key, {line}) : t("reason_other");
    if (ended.reason === "line_closed" && ended.next_opening) text += ` ${openingText(ended.next_opening)}`;
    if (ended.reason === "booking_early" && ended.opens_at) {
      text = t(key, {when: relativeDay(ended.opens_at, "when_today", "when_tomorrow", "when_on")});
    }
    return text;
  }

  function renderEnded() {
    const ended = state.ended;
    if (!ended) return;
    $("ended-heading").textContent = ended.connected ? t("ended_heading") : t("not_connected_heading");
    $("ended-reason").textContent = reasonText();
    const phone = $("ended-phone");
    phone.replaceChildren();
    const line = lineById(state.callLine);
    const answered = ended.connected && ["advisor_hung_up", "kiosk_hung_up"].includes(ended.reason);
    if (answered) {
      phone.hidden = true;
    } else if (line && line.phone) {
      const [before, after] = t("phone_out", {line: lineName(line.id), phone: "\u0000"}).split("\u0000");
      phone.append(before, phoneLink(line.phone), after || "");
      phone.hidden = false;
    } else {
      const known = state.lines.filter((l) => l.phone);
      phone.hidden = known.length === 0;
      if (known.length) {
        phone.append(t("phones_all"));
        const list = el("ul");
        for (const l of known) {
          const item = el("li", {}, `${lineName(l.id)}: `);
          item.append(phoneLink(l.phone));
          list.append(item);
        }
        phone.append(list);
      }
    }
    $("rating").hidden = !ended.can_rate || state.rated !== null;
    $("rated").textContent = state.rated !== null ? t("thanks") : "";
  }

  function rate(stars) {
    if (!state.call || state.rated !== null) return;
    send({type: "rate", call: state.call, stars});
    state.rated = stars;
    renderEnded();
    $("again").focus();
    // The rating was the last thing this socket was for.
    setTimeout(closeSocket, 500);
  }

  function again() {
    closeSocket();
    closeAll();
    state.call = null;
    state.queued = null;
    state.ended = null;
    state.rated = null;
    state.target = null;
    state.callLine = null;
    state.notice = "";
    state.muted = false;
    show("lines");
    refreshLines();
  }

  // ---- wiring ---------------------------------------------------------------------------------

  async function peerStats(p) {
    const out = {videoFramesDecoded: 0, audioPacketsReceived: 0, state: p.pc.connectionState, width: 0};
    (await p.pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        out.videoFramesDecoded = s.framesDecoded || 0;
        out.width = s.frameWidth || 0;
      }
      if (s.type === "inbound-rtp" && s.kind === "audio") out.audioPacketsReceived = s.packetsReceived || 0;
    });
    return out;
  }

  // The host's figures at the top (as the console's callStats), each party's under `parties`.
  window.callStats = async function () {
    const parties = {};
    for (const [role, p] of Object.entries(state.parties)) parties[role] = await peerStats(p);
    const host = parties.host || {videoFramesDecoded: 0, audioPacketsReceived: 0, state: null, width: 0};
    return {...host, parties};
  };

  function start() {
    document.querySelectorAll("#languages a").forEach((a) => {
      a.addEventListener("click", (event) => {
        event.preventDefault();
        setLanguage(a.dataset.lang);
      });
    });
    $("code-form").addEventListener("submit", onCode);
    $("allow-camera").addEventListener("click", allowCamera);
    $("call").addEventListener("click", startCall);
    $("consent-back").addEventListener("click", () => { releaseCamera(); state.target = null; show("lines"); });
    $("cancel").addEventListener("click", cancel);
    $("mute").addEventListener("click", toggleMute);
    $("hang-up").addEventListener("click", hangUp);
    $("again").addEventListener("click", again);
    document.querySelectorAll(".stars button").forEach((b) => {
      b.addEventListener("click", () => rate(Number(b.dataset.stars)));
    });
    window.addEventListener("pagehide", () => { closeSocket(); releaseCamera(); });
    applyTexts();
    show("lines", false);
    refreshLines();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
