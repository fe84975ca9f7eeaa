from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Dutch unless the user chose English with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which would
    show English to every civil servant whose browser happens to be English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
